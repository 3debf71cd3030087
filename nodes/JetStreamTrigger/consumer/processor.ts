import { NodeOperationError, type INodeExecutionData, type ITriggerFunctions } from 'n8n-workflow';

import { PermissionError } from '../../shared/errors';
import { forFeature } from '../../shared/errorMapping';
import { runExecution, type ExecutionResult, type Outcome } from '../../shared/execution/emitter';
import type { Ticker } from '../../shared/execution/ticker';
import { decodePayload, type DecodedPayload } from '../../shared/payload/decode';
import type { TransportLogger } from '../../shared/transport/connect';
import type { ConsumerFacts } from '../../shared/transport/consume';
import type { TriggerSettings } from '../settings';
import { FEATURE } from './featureNames';
import { passThroughGuard, type DeadLetterDetails, type DeadLetterSink, type DecodedMessage, type GuardVerdict, type MessageGuard } from './hooks';
import type { Ledger, Tracked } from './ledger';
import { Outage } from './outage';
import { toItem } from './output';
import { isLastDelivery, retryDelayMs } from './retry';

export type TriggerContext = Pick<ITriggerFunctions, 'emit' | 'helpers' | 'getNode'> &
	Partial<Pick<ITriggerFunctions, 'saveFailedExecution'>>;

/** A message that was decoded: what the guards and the workflow see. */
type Decoded = Tracked & DecodedMessage;

export interface ProcessorDeps {
	ctx: TriggerContext;
	settings: TriggerSettings;
	facts: ConsumerFacts;
	logger: TransportLogger;
	guard: MessageGuard;
	deadLetter: DeadLetterSink;
	ledger: Ledger;
	ticker: Ticker;
	/** Sets a message aside to be looked at again later, without using up a delivery. */
	park(tracked: Tracked, retryInMs: number): void;
	/** True once the trigger is closing: admitted messages then go back instead of starting an execution. */
	stopping(): boolean;
	/**
	 * "Later in the workflow": resolves once every answer the server sent this connection so far was
	 * seen (a round trip), so an Acknowledge node's answer is not missed by a hair.
	 */
	seenAnswers(): Promise<void>;
	/** Stops the trigger with an error retrying cannot fix (a refused right). */
	fatal(error: Error): void;
}

const PROCESS: GuardVerdict = { action: 'process' };
/** Retries while a store is unreachable grow like the trigger's retry delay, but never wait longer than this. */
const MAX_OUTAGE_RETRY_MS = 30_000;

const HINTS: Record<DeadLetterDetails['kind'], string> = {
	poison: 'Fix the publisher, or change the trigger\'s "Content" option to Text or Auto to accept such messages',
	invalid: 'Fix the publisher or the schema; the message is kept in the dead-letter stream for redrive',
	rejected: 'The workflow marked this message as a permanent failure; it is kept in the dead-letter stream for review',
	exhausted: 'Every allowed delivery failed; look at the failed executions, then redrive it from the dead-letter stream',
};

/**
 * One execution's path: decode → guard (validation, idempotency) → emit → record → answer. A message
 * that can never be processed is dead-lettered (when configured), recorded as a failed execution and
 * terminated; one that cannot be looked at now (key busy elsewhere, store unreachable, dead-letter
 * stream unreachable) is parked, still owned and kept alive. Nothing here drops a message: each one
 * leaves through the ledger with exactly one answer.
 */
export class UnitProcessor {
	private readonly deadLetterOutage: Outage;

	constructor(private readonly deps: ProcessorDeps) {
		this.deadLetterOutage = new Outage('The dead-letter stream', deps.logger);
	}

	/** Runs the unit; returns the execution outcome, or undefined when no execution was needed. */
	async process(unit: Tracked[]): Promise<Outcome | undefined> {
		unit.forEach((t) => this.deps.ledger.move(t, 'running'));
		const admitted = await this.admit(unit);
		if (admitted.length === 0) return undefined;
		if (this.deps.stopping()) {
			await Promise.all(admitted.map(async (t) => await this.handBack(t, 'the trigger closed before it ran')));
			return undefined;
		}
		const { settings, ledger } = this.deps;
		const items = await this.items(admitted);
		if (settings.manual) {
			this.deps.ctx.emit([items]);
			admitted.forEach((t) => ledger.release(t));
			return 'success';
		}
		if (settings.ackMode === 'immediately') admitted.forEach((t) => ledger.answer(t, 'ack'));
		let result: ExecutionResult;
		try {
			result = await runExecution(this.deps.ctx, items, { timeoutMs: settings.executionTimeoutMs, ticker: this.deps.ticker });
		} catch (error) {
			// n8n refused to start the execution: give the messages back for another try.
			this.deps.logger.error(`Could not start an execution: ${(error as Error).message}; its message(s) will be delivered again`);
			result = { outcome: 'failure', error: (error as Error).message };
		}
		await this.record(admitted, result.outcome);
		await this.settle(admitted, result);
		return result.outcome;
	}

	/**
	 * Gives a message back that was not run (closing, or a failure of the trigger itself). A nak
	 * brings it back, except on its last allowed delivery, when the server would drop it: then it
	 * goes to the dead-letter stream.
	 */
	async handBack(tracked: Tracked, why: string): Promise<void> {
		const { ledger, settings } = this.deps;
		if (!ledger.isHeld(tracked)) return;
		if (settings.manual) {
			ledger.release(tracked);
			return;
		}
		if (tracked.payload !== undefined) await this.deps.guard.failed(tracked as Decoded);
		if (!this.onLastDelivery(tracked)) {
			ledger.answer(tracked, 'nak');
			return;
		}
		this.deps.logger.warn(
			`Message ${tracked.sequence} is on its last allowed delivery and ${why}; dead-lettering it rather than letting the server drop it`,
		);
		const error = new Error(`The message could not be processed on its last allowed delivery (${tracked.delivery.deliveryCount}): ${why}`);
		await this.giveUp(tracked, { kind: 'exhausted', error });
	}

	/**
	 * "Later in the workflow": an Acknowledge node answered the message (its answer was seen on the ack
	 * subject). The server has the answer; the key is recorded as processed only for an acknowledgement.
	 */
	async answeredInWorkflow(tracked: Tracked, kind: 'ack' | 'nak' | 'term'): Promise<void> {
		const { ledger, guard } = this.deps;
		if (!ledger.isHeld(tracked) || tracked.state !== 'running') return;
		ledger.release(tracked);
		if (tracked.payload === undefined) return;
		if (kind === 'ack') await guard.processed(tracked as Decoded);
		else await guard.failed(tracked as Decoded);
	}

	/** A parked message whose dead-letter copy could not be stored: try again. */
	async retryDeadLetter(tracked: Tracked): Promise<void> {
		const details = tracked.pendingDeadLetter;
		if (!details || !this.deps.ledger.isHeld(tracked)) return;
		tracked.pendingDeadLetter = undefined;
		this.deps.ledger.move(tracked, 'running');
		await this.giveUp(tracked, details);
	}

	private onLastDelivery(tracked: Tracked): boolean {
		return tracked.serverGaveUp || isLastDelivery(tracked.delivery.deliveryCount, this.deps.facts.maxDeliver);
	}

	private async admit(unit: Tracked[]): Promise<Decoded[]> {
		const admitted: Decoded[] = [];
		for (const tracked of unit) {
			if (!this.deps.ledger.isHeld(tracked)) continue;
			if (!(await this.decode(tracked))) continue;
			const message = tracked as Decoded;
			const verdict = this.deps.guard === passThroughGuard ? PROCESS : await this.deps.guard.check(message);
			switch (verdict.action) {
				case 'process':
					admitted.push(message);
					break;
				case 'skip':
					this.deps.logger.debug(`Message ${tracked.sequence} skipped: ${verdict.reason}`);
					this.deps.ledger.answer(tracked, 'ack');
					break;
				case 'wait':
					this.wait(tracked, verdict);
					break;
				case 'refused':
					this.deps.park(tracked, MAX_OUTAGE_RETRY_MS);
					this.deps.fatal(verdict.error);
					break;
				default:
					await this.reject(tracked, { kind: verdict.kind, error: verdict.error });
			}
		}
		return admitted;
	}

	private wait(tracked: Tracked, verdict: Extract<GuardVerdict, { action: 'wait' }>): void {
		let retryInMs = verdict.retryInMs;
		if (verdict.outage) {
			tracked.outageParks++;
			retryInMs = Math.min(MAX_OUTAGE_RETRY_MS, retryDelayMs(tracked.outageParks, [], this.deps.settings.retry));
		}
		this.deps.logger.debug(`Message ${tracked.sequence} waits ${retryInMs} ms: ${verdict.reason}`);
		this.deps.park(tracked, retryInMs);
	}

	private async decode(tracked: Tracked): Promise<boolean> {
		if (tracked.payload !== undefined) return true;
		const payload: DecodedPayload | { kind: 'poison'; error: Error } = decodePayload(tracked.delivery, this.deps.settings.content);
		if (payload.kind !== 'poison') {
			tracked.payload = payload;
			return true;
		}
		await this.reject(tracked, { kind: 'poison', error: payload.error });
		return false;
	}

	/** A message that will never succeed: dead-letter copy, failed-execution record, then term. */
	private async reject(tracked: Tracked, details: DeadLetterDetails): Promise<void> {
		const { ctx, settings } = this.deps;
		if (settings.manual) throw new NodeOperationError(ctx.getNode(), details.error.message, { description: HINTS[details.kind] });
		await this.giveUp(tracked, details);
	}

	/**
	 * Terms the message once its dead-letter copy is stored (or dead-lettering is off). If the copy
	 * cannot be stored, the message is parked — kept, not nak'd — and the copy is tried again, so a
	 * dead-letter stream that is down never costs a message its deliveries, nor the message itself.
	 */
	private async giveUp(tracked: Tracked, details: DeadLetterDetails): Promise<void> {
		const { ctx, logger, ledger } = this.deps;
		const result = await this.deps.deadLetter.send(tracked.delivery, details);
		if (result.status === 'failed') {
			const refused = forFeature(result.error, FEATURE.deadLetter);
			if (refused instanceof PermissionError) {
				this.refusedDeadLetter(tracked, refused);
				return;
			}
			tracked.outageParks++;
			tracked.pendingDeadLetter = details;
			this.deadLetterOutage.failed(result.error);
			this.deps.park(tracked, Math.min(MAX_OUTAGE_RETRY_MS, retryDelayMs(tracked.outageParks, [], this.deps.settings.retry)));
			return;
		}
		this.deadLetterOutage.ok();
		ledger.answer(tracked, 'term');
		// A message no execution ran for is recorded as a failed execution, so the user sees it in n8n.
		// The log line carries no error text of a workflow nor payload values: those stay in the copy.
		if (details.kind === 'poison' || details.kind === 'invalid') {
			logger.warn(`${details.kind === 'poison' ? details.error.message : `Message ${tracked.sequence} does not match its schema`}; it will not be delivered again`);
			ctx.saveFailedExecution?.(new NodeOperationError(ctx.getNode(), details.error.message, { description: HINTS[details.kind] }));
		}
	}

	/**
	 * The dead-letter subject is refused: trying again cannot help, so the trigger stops with the error
	 * and the message goes back to the server at once (it stays in the stream either way). On its last
	 * delivery it is left unanswered rather than nak'd: the server then keeps it until its ack wait.
	 */
	private refusedDeadLetter(tracked: Tracked, refused: PermissionError): void {
		this.deps.fatal(refused);
		if (!this.onLastDelivery(tracked)) {
			this.deps.ledger.answer(tracked, 'nak');
			return;
		}
		this.deps.logger.error(`Message ${tracked.sequence} was on its last delivery and could not be dead-lettered (${refused.message}); it stays in stream "${this.deps.facts.stream}" — read it with the JetStream node's Message → Get`);
		this.deps.ledger.release(tracked);
	}

	/**
	 * Success is recorded before the acknowledgement: if n8n stops in between, the redelivered copy is
	 * recognised as processed rather than run twice. "Later in the workflow" records nothing here: the
	 * Acknowledge node's answer decides. A failure gives the key back; a timeout keeps it until its
	 * lease ends, since the execution may still be running.
	 */
	private async record(messages: Decoded[], outcome: Outcome): Promise<void> {
		const { guard, settings } = this.deps;
		if (guard === passThroughGuard) return;
		if (outcome === 'timeout') messages.forEach((m) => guard.timedOut(m));
		else if (outcome === 'failure') await Promise.all(messages.map((m) => guard.failed(m)));
		else if (settings.ackMode !== 'later') await Promise.all(messages.map((m) => guard.processed(m)));
	}

	private async items(messages: Decoded[]): Promise<INodeExecutionData[]> {
		const prepare = this.deps.ctx.helpers.prepareBinaryData.bind(this.deps.ctx.helpers);
		return await Promise.all(messages.map((m) => toItem(m, this.deps.settings, prepare)));
	}

	private async settle(messages: Decoded[], result: ExecutionResult): Promise<void> {
		const { outcome } = result;
		const { ledger } = this.deps;
		const held = messages.filter((m) => ledger.isHeld(m));
		switch (this.deps.settings.ackMode) {
			case 'immediately':
				return;
			case 'executionFinishes':
				if (outcome !== 'timeout') return held.forEach((m) => ledger.answer(m, 'ack'));
				break;
			case 'executionSucceeds':
				if (outcome === 'success') return held.forEach((m) => ledger.answer(m, 'ack'));
				break;
			default:
				// "Later in the workflow": a message still held was not answered by an Acknowledge node
				// (or its answer was not seen): it comes back after the retry delay, its key unrecorded.
				if (outcome === 'success') {
					if (held.length > 0) await this.deps.seenAnswers().catch(() => undefined);
					const unanswered = held.filter((m) => ledger.isHeld(m));
					await Promise.all(unanswered.map((m) => this.deps.guard.failed(m)));
					return unanswered.forEach((m) => ledger.answer(m, 'nak', this.delay(m)));
				}
		}
		await Promise.all(held.map((m) => this.retry(m, result)));
	}

	private delay(tracked: Tracked): number {
		return retryDelayMs(tracked.delivery.deliveryCount, this.deps.facts.backoffMs, this.deps.settings.retry);
	}

	private isPermanent(result: ExecutionResult): boolean {
		const marker = this.deps.settings.deadLetter?.permanentFailureMarker;
		return result.outcome === 'failure' && !!marker && !!result.error?.includes(marker);
	}

	private async retry(tracked: Tracked, result: ExecutionResult): Promise<void> {
		const { logger } = this.deps;
		const what = result.outcome === 'timeout' ? 'did not finish in time' : 'failed';
		const cause = result.error ?? `Execution ${what}`;
		if (this.isPermanent(result)) {
			// The error text stays out of the log (it may quote data); the dead-letter copy keeps it, masked.
			logger.warn(`The execution for message ${tracked.sequence} failed with the permanent-failure marker; dead-lettering it`);
			await this.giveUp(tracked, { kind: 'rejected', error: new Error(cause), failedNode: result.failedNode });
			return;
		}
		if (this.onLastDelivery(tracked)) {
			logger.warn(`The execution for message ${tracked.sequence} ${what} on its last allowed delivery; it will not be delivered again`);
			await this.giveUp(tracked, { kind: 'exhausted', error: new Error(cause), failedNode: result.failedNode });
			return;
		}
		const delayMs = this.delay(tracked);
		logger.info(
			`The execution for message ${tracked.sequence} ${what} (delivery ${tracked.delivery.deliveryCount}); redelivering in ${(delayMs / 1000).toFixed(1)} s`,
		);
		this.deps.ledger.answer(tracked, 'nak', delayMs);
	}
}
