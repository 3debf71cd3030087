import { NodeOperationError, type INodeExecutionData, type ITriggerFunctions } from 'n8n-workflow';

import type { ConsumerFacts, Delivery } from '../../shared/transport/consume';
import type { TransportLogger } from '../../shared/transport/connect';
import type { TriggerSettings } from '../settings';
import { decodePayload } from './decode';
import { runExecution, type Outcome } from './emitter';
import type { DeadLetterKind, DeadLetterSink, DecodedMessage, MessageGuard } from './hooks';
import { toItem } from './output';
import { isLastDelivery, retryDelayMs } from './retry';

/** The messages of one execution (one, or a batch) and whether they were answered yet. */
export class Unit {
	settled = false;

	/** Fired when the trigger closes without waiting for this unit's execution any longer. */
	readonly abandoned = new AbortController();

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

/**
 * One execution's path: decode → guard (validation, idempotency) → emit → settle → record.
 * A message that can never be processed is recorded as a failed execution and terminated; it never
 * stops the trigger.
 */
export class UnitProcessor {
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
		let outcome: Outcome;
		try {
			outcome = await runExecution(this.deps.ctx, items, settings.executionTimeoutMs, unit.abandoned.signal);
		} finally {
			stopWorking();
		}
		await this.settle(unit, outcome);
		if (outcome === 'success' && settings.ackMode !== 'later') {
			await Promise.all(messages.map((m) => this.deps.guard.processed(m)));
		}
		return outcome;
	}

	/** Closing with the execution still running: hand the messages back for another delivery now. */
	abandon(unit: Unit): void {
		unit.abandoned.abort();
		if (unit.settled) return;
		unit.settled = true;
		unit.deliveries.forEach((d) => d.nak());
	}

	/** Hands back messages that were pulled but never started (closing, or circuit open). */
	giveBack(deliveries: Delivery[], delayMs: number): void {
		if (this.deps.settings.manual) return;
		deliveries.forEach((d) => (delayMs > 0 ? d.nak(delayMs) : d.nak()));
	}

	private async admit(unit: Unit): Promise<DecodedMessage[]> {
		const admitted: DecodedMessage[] = [];
		for (const delivery of unit.deliveries) {
			const message = await this.decode(delivery);
			if (!message) continue;
			const verdict = await this.deps.guard.check(message);
			if (verdict.action === 'process') admitted.push(message);
			else if (verdict.action === 'skip') {
				this.deps.logger.debug(`Message ${delivery.streamSequence} skipped: ${verdict.reason}`);
				if (!this.deps.settings.manual) delivery.ack();
			} else await this.reject(delivery, verdict.error, 'rejected');
		}
		return admitted;
	}

	private async decode(delivery: Delivery): Promise<DecodedMessage | undefined> {
		const payload = decodePayload(delivery, this.deps.settings.content);
		if (payload.kind !== 'poison') return { delivery, payload };
		await this.reject(delivery, payload.error, 'poison');
		return undefined;
	}

	/** A message that will never succeed: dead-letter hook, failed execution record, term (no reason: server 2.9). */
	private async reject(delivery: Delivery, error: Error, kind: DeadLetterKind): Promise<void> {
		const { ctx, logger, settings } = this.deps;
		logger.warn(`${error.message}. The message was terminated and will not be delivered again`, {
			streamSequence: delivery.streamSequence,
		});
		const failure = new NodeOperationError(ctx.getNode(), error.message, {
			description: 'Fix the publisher, or change the trigger\'s "Content" option to Text or Auto to accept such messages',
		});
		if (settings.manual) throw failure;
		await this.deps.deadLetter.send(delivery, error, kind);
		ctx.saveFailedExecution?.(failure);
		delivery.term();
	}

	private async items(messages: DecodedMessage[]): Promise<INodeExecutionData[]> {
		const prepare = this.deps.ctx.helpers.prepareBinaryData.bind(this.deps.ctx.helpers);
		return await Promise.all(messages.map((m) => toItem(m, this.deps.settings, prepare)));
	}

	/** working() every third of the ack wait, so a long execution does not get its message redelivered. */
	private keepWorking(unit: Unit): () => void {
		if (this.deps.settings.ackMode === 'immediately') return () => undefined;
		const every = Math.max(MIN_WORKING_INTERVAL_MS, Math.floor(this.deps.facts.ackWaitMs / 3));
		const timer = setInterval(() => {
			if (!unit.settled) unit.deliveries.forEach((d) => d.working());
		}, every);
		return () => clearInterval(timer);
	}

	private ackAll(unit: Unit): void {
		unit.deliveries.forEach((d) => d.ack());
	}

	private async settle(unit: Unit, outcome: Outcome): Promise<void> {
		if (unit.settled) return;
		unit.settled = true;
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
				unit.deliveries.forEach((d) => d.nak(this.delay(d)));
				return;
		}
		await Promise.all(unit.deliveries.map((d) => this.retry(d, outcome)));
	}

	private delay(delivery: Delivery): number {
		return retryDelayMs(delivery.deliveryCount, this.deps.facts.backoffMs, this.deps.settings.retry);
	}

	private async retry(delivery: Delivery, outcome: Outcome): Promise<void> {
		const { logger, facts } = this.deps;
		const what = outcome === 'timeout' ? 'did not finish in time' : 'failed';
		if (isLastDelivery(delivery.deliveryCount, facts.maxDeliver)) {
			logger.warn(
				`The execution for message ${delivery.streamSequence} ${what} on its last allowed delivery (${facts.maxDeliver}); it will not be delivered again`,
			);
			const stored = await this.deps.deadLetter.send(delivery, new Error(`Execution ${what}`), 'exhausted');
			if (stored) delivery.term();
			else delivery.nak();
			return;
		}
		const delayMs = this.delay(delivery);
		logger.info(
			`The execution for message ${delivery.streamSequence} ${what} (delivery ${delivery.deliveryCount}); redelivering in ${(delayMs / 1000).toFixed(1)} s`,
		);
		delivery.nak(delayMs);
	}
}
