import { NodeOperationError, type INodeExecutionData, type ITriggerFunctions } from 'n8n-workflow';

import { runExecution, type ExecutionResult, type Outcome } from '../../shared/execution/emitter';
import { sleep } from '../../shared/execution/sleep';
import { Ticker } from '../../shared/execution/ticker';
import { decodePayload } from '../../shared/payload/decode';
import type { TransportLogger } from '../../shared/transport/connect';
import type { ConsumerFacts, Delivery } from '../../shared/transport/consume';
import type { TriggerSettings } from '../settings';
import { passThroughGuard, type DeadLetterDetails, type DeadLetterSink, type DecodedMessage, type GuardVerdict, type MessageGuard } from './hooks';
import { toItem } from './output';
import { isLastDelivery, retryDelayMs } from './retry';

/** The messages of one execution (one, or a batch) and whether they were answered yet. */
export class Unit {
	settled = false;

	private isAbandoned = false;

	private abandonController?: AbortController;

	private onAbandon?: () => void;

	get abandoned(): boolean {
		return this.isAbandoned;
	}

	/** Fired when the trigger closes without waiting any longer. Made on demand: only a unit waiting for a busy key needs one. */
	get abandonSignal(): AbortSignal {
		if (!this.abandonController) {
			this.abandonController = new AbortController();
			if (this.isAbandoned) this.abandonController.abort();
		}
		return this.abandonController.signal;
	}

	/** The one listener a running execution needs (cheaper than a signal per message); returns the unsubscribe. */
	whenAbandoned = (listener: () => void): (() => void) => {
		if (this.isAbandoned) {
			listener();
			return () => undefined;
		}
		this.onAbandon = listener;
		return () => {
			if (this.onAbandon === listener) this.onAbandon = undefined;
		};
	};

	abandon(): void {
		this.isAbandoned = true;
		this.abandonController?.abort();
		const listener = this.onAbandon;
		this.onAbandon = undefined;
		listener?.();
	}

	constructor(readonly deliveries: Delivery[]) {}

	/** A redelivered copy of a message still in flight: answer through the newest delivery. */
	replace(delivery: Delivery): void {
		const index = this.deliveries.findIndex((d) => d.streamSequence === delivery.streamSequence);
		if (index >= 0) this.deliveries[index] = delivery;
	}
}

export type TriggerContext = Pick<ITriggerFunctions, 'emit' | 'helpers' | 'getNode'> &
	Partial<Pick<ITriggerFunctions, 'saveFailedExecution'>>;

export interface ProcessorDeps {
	ctx: TriggerContext;
	settings: TriggerSettings;
	facts: ConsumerFacts;
	logger: TransportLogger;
	guard: MessageGuard;
	deadLetter: DeadLetterSink;
}

const MIN_WORKING_INTERVAL_MS = 100;
const PROCESS: GuardVerdict = { action: 'process' };
/** How often a message waiting for another execution's key looks again. */
const DEFER_POLL_MS = 200;

const HINTS: Record<DeadLetterDetails['kind'], string> = {
	poison: 'Fix the publisher, or change the trigger\'s "Content" option to Text or Auto to accept such messages',
	invalid: 'Fix the publisher or the schema; the message is kept in the dead-letter stream for redrive',
	rejected: 'The workflow marked this message as a permanent failure; it is kept in the dead-letter stream for review',
	exhausted: 'Every allowed delivery failed; look at the failed executions, then redrive it from the dead-letter stream',
};

/**
 * One execution's path: decode → guard (validation, idempotency) → emit → settle → record.
 * A message that can never be processed is dead-lettered (when configured), recorded as a failed
 * execution and terminated; it never stops the trigger. Terminating waits for the dead-letter copy.
 */
export class UnitProcessor {
	/** Execution timeouts and working() calls of every unit share one timer. */
	private readonly ticker = new Ticker();

	constructor(private readonly deps: ProcessorDeps) {}

	/** Runs the unit; returns the execution outcome, or undefined when no execution was needed. */
	async process(unit: Unit): Promise<Outcome | undefined> {
		const messages = await this.admit(unit);
		if (messages.length === 0) {
			unit.settled = true;
			return undefined;
		}
		unit.deliveries.splice(0, unit.deliveries.length, ...messages.map((m) => m.delivery));
		const items = await this.items(messages);
		const { settings } = this.deps;
		if (settings.manual) {
			this.deps.ctx.emit([items]);
			unit.settled = true;
			return 'success';
		}
		if (settings.ackMode === 'immediately') this.ackAll(unit);
		const stopWorking = this.keepWorking(unit);
		let result: ExecutionResult;
		try {
			result = await runExecution(this.deps.ctx, items, { timeoutMs: settings.executionTimeoutMs, whenAbandoned: unit.whenAbandoned, ticker: this.ticker });
		} finally {
			stopWorking();
		}
		await this.record(messages, result.outcome);
		await this.settle(unit, result);
		return result.outcome;
	}

	/** Closing with the execution still running: hand the messages back for another delivery now. */
	async abandon(unit: Unit, why: string): Promise<void> {
		unit.abandon();
		if (unit.settled) return;
		unit.settled = true;
		await Promise.all(unit.deliveries.map(async (d) => await this.handBack(d, 0, why)));
	}

	/** Hands back messages that were pulled but never started (closing, or circuit open). */
	async giveBack(deliveries: Delivery[], delayMs: number, why: string): Promise<void> {
		if (this.deps.settings.manual) return;
		await Promise.all(deliveries.map(async (d) => await this.handBack(d, delayMs, why)));
	}

	/**
	 * A nak brings a message back, except on its last allowed delivery: the server then drops it from
	 * this consumer. Such a message goes to the dead-letter stream instead, so closing the trigger or
	 * waiting for a busy key never loses one.
	 */
	private async handBack(delivery: Delivery, delayMs: number, why: string): Promise<void> {
		const { maxDeliver } = this.deps.facts;
		if (!isLastDelivery(delivery.deliveryCount, maxDeliver)) {
			if (delayMs > 0) delivery.nak(delayMs);
			else delivery.nak();
			return;
		}
		this.deps.logger.warn(`Message ${delivery.streamSequence} is on its last allowed delivery (${maxDeliver}) and ${why}; dead-lettering it rather than dropping it`);
		const error = new Error(`The message could not be processed on its last allowed delivery (${delivery.deliveryCount} of ${maxDeliver}): ${why}`);
		await this.giveUp(delivery, { kind: 'exhausted', error });
	}

	/**
	 * Success is recorded before the acknowledgement: if n8n stops in between, the redelivered copy is
	 * recognised as processed rather than run twice. A failure gives the key back; a timeout keeps it
	 * until its lease ends, since the execution may still be running.
	 */
	private async record(messages: DecodedMessage[], outcome: Outcome): Promise<void> {
		const { guard } = this.deps;
		// Without schema or idempotency there is nothing to record: skip the promise hops per message.
		if (guard === passThroughGuard) return;
		if (outcome === 'success') await Promise.all(messages.map((m) => guard.processed(m)));
		else if (outcome === 'failure') await Promise.all(messages.map((m) => guard.failed(m)));
	}

	private async admit(unit: Unit): Promise<DecodedMessage[]> {
		const admitted: DecodedMessage[] = [];
		for (const delivery of unit.deliveries) {
			const message = await this.decode(delivery);
			if (!message) continue;
			const verdict = this.deps.guard === passThroughGuard ? PROCESS : await this.checkPatiently(message, unit);
			if (verdict.action === 'process') admitted.push(message);
			else if (verdict.action === 'skip') {
				this.deps.logger.debug(`Message ${delivery.streamSequence} skipped: ${verdict.reason}`);
				delivery.ack();
			} else if (verdict.action === 'defer') {
				this.deps.logger.debug(`Message ${delivery.streamSequence} handed back for ${verdict.delayMs} ms: ${verdict.reason}`);
				await this.handBack(delivery, verdict.delayMs, `the trigger closed while ${verdict.reason}`);
			} else await this.reject(delivery, { kind: verdict.kind, error: verdict.error });
		}
		return admitted;
	}

	/**
	 * A message whose key another execution holds waits here — kept alive with working() — until that
	 * execution records or releases the key (or its lease runs out). Handing it back instead would use
	 * up a delivery each time, and on the last one the server would never deliver it again.
	 */
	private async checkPatiently(message: DecodedMessage, unit: Unit): Promise<GuardVerdict> {
		let verdict = await this.deps.guard.check(message);
		while (verdict.action === 'defer' && !unit.abandoned) {
			message.delivery.working();
			await sleep(Math.min(verdict.delayMs, DEFER_POLL_MS), unit.abandonSignal);
			verdict = await this.deps.guard.check(message);
		}
		return verdict;
	}

	private async decode(delivery: Delivery): Promise<DecodedMessage | undefined> {
		const payload = decodePayload(delivery, this.deps.settings.content);
		if (payload.kind !== 'poison') return { delivery, payload };
		await this.reject(delivery, { kind: 'poison', error: payload.error });
		return undefined;
	}

	/** A message that will never succeed: dead-letter copy, failed-execution record, then term. */
	private async reject(delivery: Delivery, details: DeadLetterDetails): Promise<void> {
		const { ctx, logger, settings } = this.deps;
		const failure = new NodeOperationError(ctx.getNode(), details.error.message, { description: HINTS[details.kind] });
		if (settings.manual) throw failure;
		if (await this.giveUp(delivery, details)) {
			logger.warn(`${details.error.message}. Message ${delivery.streamSequence} will not be delivered again`);
			ctx.saveFailedExecution?.(failure);
		}
	}

	/**
	 * Terms the message once its dead-letter copy is stored (or dead-lettering is off); if the copy
	 * failed, hands it back instead so it is never dropped. True when the message was terminated.
	 */
	private async giveUp(delivery: Delivery, details: DeadLetterDetails): Promise<boolean> {
		const status = await this.deps.deadLetter.send(delivery, details);
		if (status !== 'failed') {
			delivery.term();
			return true;
		}
		const delayMs = this.delay(delivery);
		const last = isLastDelivery(delivery.deliveryCount, this.deps.facts.maxDeliver);
		this.deps.logger.error(
			last
				? `Message ${delivery.streamSequence} could not be dead-lettered on its last delivery; it stays in the stream but this consumer will not deliver it again`
				: `Message ${delivery.streamSequence} could not be dead-lettered; it comes back in ${(delayMs / 1000).toFixed(1)} s`,
		);
		delivery.nak(delayMs);
		return false;
	}

	private async items(messages: DecodedMessage[]): Promise<INodeExecutionData[]> {
		const prepare = this.deps.ctx.helpers.prepareBinaryData.bind(this.deps.ctx.helpers);
		return await Promise.all(messages.map((m) => toItem(m, this.deps.settings, prepare)));
	}

	/** working() every third of the ack wait, so a long execution does not get its message redelivered. */
	private keepWorking(unit: Unit): () => void {
		if (this.deps.settings.ackMode === 'immediately') return () => undefined;
		return this.ticker.every(this.workingEveryMs(), () => {
			if (!unit.settled) unit.deliveries.forEach((d) => d.working());
		});
	}

	/** The same for a message read ahead, waiting for a free slot; returns the stop. */
	keepAlive(delivery: Delivery): () => void {
		if (this.deps.settings.manual) return () => undefined;
		return this.ticker.every(this.workingEveryMs(), () => delivery.working());
	}

	private workingEveryMs(): number {
		return Math.max(MIN_WORKING_INTERVAL_MS, Math.floor(this.deps.facts.ackWaitMs / 3));
	}

	private ackAll(unit: Unit): void {
		unit.deliveries.forEach((d) => d.ack());
	}

	private async settle(unit: Unit, result: ExecutionResult): Promise<void> {
		if (unit.settled) return;
		unit.settled = true;
		const { outcome } = result;
		switch (this.deps.settings.ackMode) {
			case 'immediately':
				return;
			case 'executionFinishes':
				if (outcome !== 'timeout') return this.ackAll(unit);
				break;
			case 'executionSucceeds':
				if (outcome === 'success') return this.ackAll(unit);
				break;
			default:
				// "Later in the workflow": an Acknowledge node may have answered; if it did, the server
				// ignores this nak. If the execution crashed or skipped that node, the message comes back.
				if (outcome === 'success') {
					unit.deliveries.forEach((d) => d.nak(this.delay(d)));
					return;
				}
		}
		await Promise.all(unit.deliveries.map((d) => this.retry(d, result)));
	}

	private delay(delivery: Delivery): number {
		return retryDelayMs(delivery.deliveryCount, this.deps.facts.backoffMs, this.deps.settings.retry);
	}

	private isPermanent(result: ExecutionResult): boolean {
		const marker = this.deps.settings.deadLetter?.permanentFailureMarker;
		return result.outcome === 'failure' && !!marker && !!result.error?.includes(marker);
	}

	private async retry(delivery: Delivery, result: ExecutionResult): Promise<void> {
		const { logger, facts } = this.deps;
		const what = result.outcome === 'timeout' ? 'did not finish in time' : 'failed';
		const cause = result.error ?? `Execution ${what}`;
		if (this.isPermanent(result)) {
			// The error text stays out of the log (it may quote data); the dead-letter copy keeps it, masked.
			logger.warn(`The execution for message ${delivery.streamSequence} failed with the permanent-failure marker; dead-lettering it`);
			await this.giveUp(delivery, { kind: 'rejected', error: new Error(cause), failedNode: result.failedNode });
			return;
		}
		if (isLastDelivery(delivery.deliveryCount, facts.maxDeliver)) {
			logger.warn(
				`The execution for message ${delivery.streamSequence} ${what} on its last allowed delivery (${facts.maxDeliver}); it will not be delivered again`,
			);
			await this.giveUp(delivery, { kind: 'exhausted', error: new Error(cause), failedNode: result.failedNode });
			return;
		}
		const delayMs = this.delay(delivery);
		logger.info(
			`The execution for message ${delivery.streamSequence} ${what} (delivery ${delivery.deliveryCount}); redelivering in ${(delayMs / 1000).toFixed(1)} s`,
		);
		delivery.nak(delayMs);
	}
}
