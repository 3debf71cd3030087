import type { INodeExecutionData, ITriggerFunctions } from 'n8n-workflow';

import { readSender } from '../shared/audit/sender';
import { runExecution } from '../shared/execution/emitter';
import { Slots } from '../shared/execution/slots';
import { Ticker } from '../shared/execution/ticker';
import { decodePayload, type DecodedPayload } from '../shared/payload/decode';
import { headerValue, redact, REQUEST_DEADLINE_HEADER, type HeaderRecord, type IncomingRequest, type TransportLogger } from '../shared/transport';
import { acceptedReply, errorReply, successReply, type OutgoingReply } from './reply';
import type { RequestTriggerSettings } from './settings';

export type ResponderContext = Pick<ITriggerFunctions, 'emit' | 'helpers'>;

/** Headers a reply carries back so the requester can match it and keep its trace. */
const ECHOED_HEADERS = ['X-Correlation-Id', 'traceparent', 'tracestate'];
/** Requests waiting for a slot, per slot: beyond this a new request is answered "busy" at once. */
const WAITING_PER_SLOT = 10;

/** When the asker stops waiting, if it said so (epoch ms or an ISO time); undefined otherwise. */
function deadlineOf(request: IncomingRequest): number | undefined {
	const raw = headerValue(request.headers, REQUEST_DEADLINE_HEADER);
	if (!raw) return undefined;
	const at = /^\d+$/.test(raw.trim()) ? Number(raw) : Date.parse(raw);
	return Number.isFinite(at) ? at : undefined;
}

/**
 * Turns each request into one execution and its outcome into the reply. At most `parallel`
 * executions run at once; the rest wait for a slot. Every request gets an answer — data, or an
 * error the requester can read — unless it came without a reply subject.
 */
export class Responder {
	private readonly slots: Slots;

	private readonly stopping = new AbortController();

	/** Execution timeouts of every request share one timer. */
	private readonly ticker = new Ticker();

	constructor(
		private readonly ctx: ResponderContext,
		private readonly settings: RequestTriggerSettings,
		private readonly logger: TransportLogger,
		private readonly secrets: readonly string[],
	) {
		this.slots = new Slots(settings.parallel);
	}

	handle(request: IncomingRequest): void {
		this.serve(request).catch((error: unknown) => {
			const message = redact((error as Error).message ?? String(error), this.secrets);
			this.logger.error(`Answering a request on "${request.subject}" failed unexpectedly: ${message}`);
			this.send(request, errorReply(500, `The workflow could not handle the request: ${message}`, this.echoed(request)));
		});
	}

	/** Stops taking requests and waits (at most `timeoutMs`) for the executions in flight to answer. */
	async close(timeoutMs: number): Promise<void> {
		this.stopping.abort();
		if (!(await this.slots.idle(timeoutMs))) {
			this.logger.warn(`${this.slots.inUse} request(s) still running after ${timeoutMs / 1000} s; their requesters get no reply from this listener`);
		}
	}

	private async serve(request: IncomingRequest): Promise<void> {
		const payload = decodePayload(request, this.settings.content);
		if (payload.kind === 'poison') {
			this.logger.warn(`${payload.error.message}; answered with an error, no execution started`);
			this.send(request, errorReply(400, payload.error.message, this.echoed(request)));
			return;
		}
		if (!(await this.slot(request))) return;
		try {
			this.send(request, await this.execute(request, payload));
		} finally {
			this.slots.release();
		}
	}

	/**
	 * A free execution slot, waiting at most the configured time (or until the asker's deadline). A
	 * request that cannot get one is answered "busy", or dropped when its asker has stopped waiting:
	 * nobody would read the answer, and the execution would be wasted.
	 */
	private async slot(request: IncomingRequest): Promise<boolean> {
		const deadline = deadlineOf(request);
		const busy = (why: string) => this.send(request, errorReply(503, why, this.echoed(request)));
		if (this.slots.waiting >= WAITING_PER_SLOT * this.settings.parallel) {
			busy(`The n8n workflow answering this subject has ${this.slots.waiting} requests waiting already; send the request again later`);
			return false;
		}
		const waitMs = Math.min(this.settings.maxWaitMs, deadline === undefined ? Infinity : deadline - Date.now());
		const got = await this.slots.acquire(this.stopping.signal, Math.max(0, waitMs));
		if (got && (deadline === undefined || Date.now() < deadline)) return true;
		if (got) this.slots.release();
		if (this.stopping.signal.aborted) busy('The n8n workflow answering this subject is stopping; send the request again');
		else if (deadline !== undefined && Date.now() >= deadline) this.logger.debug(`A request on "${request.subject}" was not started: its requester stopped waiting while every slot was busy`);
		else busy(`Every execution of the n8n workflow answering this subject stayed busy for ${this.settings.maxWaitMs / 1000} s; send the request again later`);
		return false;
	}

	private async execute(request: IncomingRequest, payload: DecodedPayload): Promise<OutgoingReply | undefined> {
		const item = await this.item(request, payload);
		const echoed = this.echoed(request);
		if (this.settings.replyWith === 'immediately') {
			this.send(request, acceptedReply(echoed));
			this.ctx.emit([[item]]);
			return undefined;
		}
		const result = await runExecution(this.ctx, [item], { timeoutMs: this.settings.executionTimeoutMs, ticker: this.ticker });
		// With a Reply node the workflow answered itself; only a failure is still answered here.
		if (result.outcome === 'success') return this.settings.replyWith === 'replyNode' ? undefined : successReply(this.settings.replyWith, result, echoed);
		const error = redact(result.error ?? 'The workflow failed', this.secrets);
		this.logger.warn(`The execution for a request on "${request.subject}" ${result.outcome === 'timeout' ? 'timed out' : 'failed'}; answered with an error`);
		return errorReply(result.outcome === 'timeout' ? 504 : 500, error, echoed, result.failedNode);
	}

	private async item(request: IncomingRequest, payload: DecodedPayload): Promise<INodeExecutionData> {
		const json = {
			payload: payload.kind === 'binary' ? null : (payload.value as INodeExecutionData['json'][string]),
			subject: request.subject,
			headers: request.headers,
			correlationId: headerValue(request.headers, 'X-Correlation-Id') ?? null,
			expectsReply: request.expectsReply,
			replyTo: request.replySubject,
		};
		// Who asked, when another n8n workflow did (its X-N8n-* headers); absent otherwise.
		const sender = readSender(request.headers);
		if (sender) Object.assign(json, { sentBy: { ...sender } });
		if (payload.kind !== 'binary') return { json };
		const file = await this.ctx.helpers.prepareBinaryData(payload.value, 'request', payload.mimeType);
		return { json, binary: { [this.settings.binaryProperty]: file } };
	}

	private echoed(request: IncomingRequest): HeaderRecord {
		const out: HeaderRecord = {};
		for (const name of ECHOED_HEADERS) {
			const value = headerValue(request.headers, name);
			if (value !== undefined) out[name] = value;
		}
		return out;
	}

	private send(request: IncomingRequest, reply: OutgoingReply | undefined): void {
		if (!reply || !request.expectsReply) return;
		request.respond(reply.data, reply.headers);
	}
}
