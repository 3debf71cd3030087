import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { applySender, type Sender } from '../../../shared/audit/sender';
import { InvalidParameterError } from '../../../shared/errors';
import { sentences } from '../../../shared/errorMapping';
import { currentSender } from '../../../shared/n8n/sender';
import { encryptPayload, type EncryptionKey } from '../../../shared/payload/crypto';
import { schemaFields, type ResolvedSchema } from '../../../shared/schema';
import { headerValue, publishWindowed, type NatsClient, type OutgoingMessage, type PublishOutcome } from '../../../shared/transport';
import { validatePublishSubject } from '../../../shared/validation';
import { errorItem, itemError, itemNumber } from '../perItem';
import type { Operation } from '../types';
import { wrapCloudEvent } from './cloudEvents';
import { applyCorrelation, applyTraceContext, newEventId } from './context';
import { headersField, readHeaders } from './headers';
import { idempotencyKeyField, subjectField } from './fields';
import { payloadFields, readPayload, type Payload } from './payload';
import { publishAllOrNone } from './allOrNone';
import { publishOptionsField, readAllOrNone, readPublishOptions, readWindow, requireOptionsServer } from './publishOptions';
import { readSchedule, scheduleFields } from './schedule';
import { checkSchema, schemaLookup, type SchemaLookup } from './schemaCheck';

const properties: INodeProperties[] = [
	subjectField,
	...payloadFields,
	idempotencyKeyField,
	headersField,
	...schemaFields('each payload before it is published'),
	...scheduleFields,
	publishOptionsField,
];

/** How long one acknowledgement may take before the item counts as failed. */
const ACK_TIMEOUT_MS = 10_000;

interface Prepared {
	message: OutgoingMessage;
	correlationId?: string;
}

/**
 * What holds for every item of the execution: what the connected server accepts (its largest message,
 * its version for the newer options), the credential's encrypting key, and who sends (the audit trail).
 */
export interface ServerFacts {
	maxPayload: number;
	version: string;
	/** The credential's key that encrypts (its first); undefined when it has none. */
	encryptionKey?: EncryptionKey;
	/** This n8n instance, workflow, execution and node: the X-N8n-* headers. */
	sender?: Sender;
}

export function serverFacts(client: NatsClient, fn?: IExecuteFunctions): ServerFacts {
	const encryptionKey = client.credentials.encryptionKeys[0];
	const sender = fn ? currentSender(fn) : undefined;
	return { maxPayload: client.nc.info?.max_payload ?? Number.MAX_SAFE_INTEGER, version: client.serverVersion(), encryptionKey, sender };
}

/** Only a binary payload or a schema check needs to wait; otherwise the message is ready at once. */
export function prepare(fn: IExecuteFunctions, i: number, item: INodeExecutionData, server: ServerFacts, schemaOf: SchemaLookup): Prepared | Promise<Prepared> {
	const payload = readPayload(fn, i, item);
	const schema = schemaOf(i);
	if (!(payload instanceof Promise) && !schema) return build(fn, i, item, server, payload);
	return Promise.all([payload, schema]).then(([p, s]) => build(fn, i, item, server, p, s));
}

function build(fn: IExecuteFunctions, i: number, item: INodeExecutionData, server: ServerFacts, payload: Payload, schema?: ResolvedSchema): Prepared {
	const { maxPayload } = server;
	const subject = validatePublishSubject(String(fn.getNodeParameter('subject', i, '')));
	const headers = readHeaders(fn, i);
	if (schema) checkSchema(i, payload, schema, headers);
	const options = readPublishOptions(fn, i);
	requireOptionsServer(options, server.version);
	const schedule = readSchedule(fn, i, subject, server.version);
	const msgId = readIdempotencyKey(fn, i);
	const correlationId = applyCorrelation(headers, item, options);
	applyTraceContext(headers, item, options);
	if (options.senderHeaders && server.sender) applySender(headers, server.sender);
	if (payload.kind === 'binary' && !headerValue(headers, 'content-type')) headers['Content-Type'] = payload.contentType;
	const body = options.envelope === 'none' ? payload.data : wrapCloudEvent(options.envelope, payload, headers, {
		id: msgId ?? newEventId(),
		source: options.eventSource || `n8n://workflow/${fn.getWorkflow().id ?? 'unsaved'}`,
		type: options.eventType,
		time: new Date().toISOString(),
	});
	const data = options.encrypt ? encryptInto(headers, subject, body, server.encryptionKey) : body;
	if (data.length > maxPayload) {
		throw new InvalidParameterError(
			'payload',
			`The message for item ${itemNumber(i)} is ${data.length} bytes; the server accepts at most ${maxPayload} bytes (max_payload)`,
			'Send a smaller payload (e.g. store the file elsewhere and publish its URL), or ask the NATS admin to raise max_payload',
		);
	}
	const expect = {
		streamName: options.expectedStream,
		lastSequence: options.expectedLastSequence,
		lastSubjectSequence: options.expectedLastSubjectSequence,
		lastMsgId: options.expectedLastMsgId,
	};
	const hasExpect = Object.values(expect).some((v) => v !== undefined);
	const ttlSeconds = options.ttlSeconds || undefined;
	return { message: { subject, data, headers, msgId, expect: hasExpect ? expect : undefined, ttlSeconds, schedule }, correlationId };
}

/** The ciphertext of the body; its key id and algorithm go into the headers. */
function encryptInto(headers: Record<string, string | string[]>, subject: string, body: Uint8Array, key: EncryptionKey | undefined): Uint8Array {
	if (!key) {
		throw new InvalidParameterError('encrypt', '"Encrypt Payload" is on but the NATS credential has no "Encryption Keys"', 'Add a key to the credential (a JSON list of { "id", "key" }), or turn "Encrypt Payload" off');
	}
	const sealed = encryptPayload(subject, body, key);
	Object.assign(headers, sealed.headers);
	return sealed.data;
}

/** The item's Idempotency Key; refuses a template that was never evaluated (sent as is, it would be one key for all). */
function readIdempotencyKey(fn: IExecuteFunctions, i: number): string | undefined {
	const key = String(fn.getNodeParameter('idempotencyKey', i, '') ?? '').trim();
	if (key.includes('{{')) {
		throw new InvalidParameterError(
			'idempotencyKey',
			`The Idempotency Key of item ${itemNumber(i)} is the text "${key}": its {{ }} part was not evaluated`,
			'Switch the field from Fixed to Expression (or drag a field of the input into it), e.g. {{ $json.orderId }}. As fixed text every message gets the same key and JetStream stores only the first.',
		);
	}
	return key || undefined;
}

/**
 * Every item of the run had one and the same key: JetStream stored the first message and answered
 * "duplicate" for the others. That can be meant (the same event twice), but is mostly a key that does
 * not depend on the item, so the editor shows a warning next to the output.
 */
function warnOneKeyForAll(fn: IExecuteFunctions, prepared: Prepared[]): void {
	const first = prepared[0]?.message.msgId;
	if (prepared.length < 2 || first === undefined) return;
	// A plain loop: `some` would skip the holes of items that failed before they were prepared.
	for (let i = 1; i < prepared.length; i++) if (prepared[i]?.message.msgId !== first) return;
	const message = `Every one of the ${prepared.length} items had the Idempotency Key "${first}", so JetStream stored only the first message and dropped the others as duplicates. Use a value that differs per event, e.g. {{ $json.orderId }}.`;
	fn.logger?.warn(message);
	(fn as Partial<Pick<IExecuteFunctions, 'addExecutionHints'>>).addExecutionHints?.({ message, type: 'warning', location: 'outputPane' });
}

function output(prepared: Prepared, outcome: Extract<PublishOutcome, { ok: true }>): IDataObject {
	const { message } = prepared;
	return {
		stream: outcome.receipt.stream,
		sequence: outcome.receipt.sequence,
		duplicate: outcome.receipt.duplicate,
		subject: message.subject,
		messageId: message.msgId ?? null,
		correlationId: prepared.correlationId ?? null,
		...(message.schedule ? { schedule: { deliverTo: message.schedule.target, specification: message.schedule.specification, timeZone: message.schedule.timeZone ?? null } } : {}),
	};
}

/**
 * Publishes every item with many acknowledgements in flight; output order is input order. Without
 * "Continue On Fail" the first failure stops new publishes, the ones in flight finish, and the error
 * says which items were stored.
 */
async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const window = readWindow(this);
	const server = serverFacts(client, this);
	const prepared: Prepared[] = new Array(items.length);
	const continueOnFail = this.continueOnFail();
	const schemaOf = schemaLookup(this, client);
	const prepareAt = (i: number) => {
		const ready = prepare(this, i, items[i], server, schemaOf);
		if (!(ready instanceof Promise)) return (prepared[i] = ready).message;
		return ready.then((p) => (prepared[i] = p).message);
	};
	// One item is atomic by itself: the batch (and its stream setting) only matters from two on.
	const atomic = readAllOrNone(this) && items.length > 1;
	const outcomes =
		atomic
			? await publishAllOrNone(client, items.length, prepareAt, ACK_TIMEOUT_MS)
			: await publishWindowed(client, items.length, prepareAt, { window, timeoutMs: ACK_TIMEOUT_MS, stopOnError: !continueOnFail });
	warnOneKeyForAll(this, prepared);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		const outcome = outcomes[i];
		if (outcome === undefined) continue;
		if (outcome.ok) {
			out.push({ json: output(prepared[i], outcome), pairedItem: { item: i } });
			continue;
		}
		const failure = itemError(this, outcome.error, i, { subject: prepared[i]?.message.subject });
		// An atomic batch stored nothing, and its error says so; "what was stored" is for the windowed publish.
		if (!continueOnFail) throw atomic ? failure : withProgress(failure, outcomes, i);
		out.push(errorItem(failure, i));
	}
	return out;
}

/** Adds to the error which items JetStream did store, since a publish cannot be taken back. */
function withProgress<E extends { description?: string | null }>(failure: E, outcomes: Array<PublishOutcome | undefined>, failedIndex: number): E {
	const stored = outcomes.filter((o) => o?.ok).length;
	const note = `${stored} of ${outcomes.length} item(s) were stored before item ${itemNumber(failedIndex)} failed; the rest were not sent. Turn on "Continue On Fail" to publish the others anyway.`;
	failure.description = sentences(failure.description ?? undefined, note);
	return failure;
}

export const publishMessage: Operation = {
	name: 'Publish',
	value: 'publish',
	action: 'Publish a message',
	description: 'Send each item as a message to a subject and wait until JetStream has stored it',
	properties,
	execute,
};
