import type { ExecutionResult, Outcome } from '../../shared/execution/emitter';
import { answerFor, isLastDelivery, retryDelayMs, type Decision, type MessageOutcome } from './answers';
import type { DeadLettering } from './deadLettering';
import { passThroughGuard } from './hooks';
import type { HeldMessage } from './lifecycle';
import type { Decoded, StepDeps } from './steps';

/**
 * After an execution, or instead of one: each message gets the answer `answerFor` decides, and its
 * idempotency key follows. Success is recorded before the acknowledgement (if n8n stops in between,
 * the redelivered copy is recognised as processed rather than run twice); a failure gives the key
 * back; a timeout keeps it until its lease ends, since the execution may still be running. "Later in
 * the workflow" records nothing here: the Acknowledge node's answer decides, and one that may still
 * be on its way keeps the key for it.
 */
export class Settlement {
	constructor(
		private readonly deps: StepDeps,
		private readonly deadLettering: DeadLettering,
	) {}

	/** Answers the messages of a finished execution by its result. */
	async settle(messages: Decoded[], result: ExecutionResult): Promise<void> {
		const { lifecycle } = this.deps.loop;
		if (this.deps.settings.ackMode === 'later') {
			await this.settleLater(messages, result);
			return;
		}
		await this.record(messages, result.outcome);
		await this.applyAll(messages.filter((m) => lifecycle.isHeld(m)), result);
	}

	/**
	 * Gives back a running message that did not run (closing, a fault of the trigger): a nak brings it
	 * back at once, except on its last allowed delivery, when the server would drop it: then it goes
	 * to the dead-letter stream.
	 */
	async handBack(message: HeldMessage, why: string): Promise<void> {
		const { lifecycle } = this.deps.loop;
		if (!lifecycle.isHeld(message)) return;
		if (this.deps.settings.manual) {
			lifecycle.release(message);
			return;
		}
		if (message.payload !== undefined) await this.deps.guard.failed(message as Decoded);
		const decision = this.decide(message, 'notRun');
		if (decision.action === 'deadLetter') {
			this.deps.logger.warn(`Message ${message.sequence} is on its last allowed delivery and ${why}; dead-lettering it rather than letting the server drop it`);
			const error = new Error(`The message could not be processed on its last allowed delivery (${message.deliveries}): ${why}`);
			await this.deadLettering.giveUp(message, { kind: 'exhausted', error });
			return;
		}
		lifecycle.answer(message, { nak: undefined });
	}

	/**
	 * "Later in the workflow": an Acknowledge node answered a message (seen on the ack subject). The
	 * server has the answer; the key is recorded as processed only for an acknowledgement.
	 */
	async answeredInWorkflow(sequence: number, kind: 'ack' | 'nak' | 'term'): Promise<void> {
		const { lifecycle } = this.deps.loop;
		const message = lifecycle.get(sequence);
		if (!message || message.state.name !== 'running') {
			// An answer to an earlier delivery (its execution ended before the answer was seen): the key
			// waited for it. A copy held now finds the key processed and is skipped.
			await this.deps.guard.lateAnswer(sequence, kind);
			return;
		}
		// Running: its execution may not have started yet (admission takes it from here then).
		lifecycle.release(message, kind);
		if (message.payload === undefined) return;
		if (kind === 'ack') await this.deps.guard.processed(message as Decoded);
		else await this.deps.guard.failed(message as Decoded);
	}

	private decide(message: HeldMessage, outcome: MessageOutcome, result?: ExecutionResult): Decision {
		const lastDelivery = isLastDelivery(message.deliveries, this.deps.facts.maxDeliver);
		return answerFor(this.deps.settings.ackMode, outcome, lastDelivery, result ? this.isPermanent(result) : false);
	}

	/**
	 * The Acknowledge node answers; one whose answer was not seen after a round trip is delivered again,
	 * and its key waits for an answer that may still come (from a worker, through another server).
	 */
	private async settleLater(messages: Decoded[], result: ExecutionResult): Promise<void> {
		const { lifecycle } = this.deps.loop;
		if (messages.some((m) => lifecycle.isHeld(m))) await this.deps.seenAnswers().catch(() => undefined);
		const unanswered = messages.filter((m) => lifecycle.isHeld(m));
		// A timed-out execution may still run and answer: its key waits for that too (not renewed any more).
		if (this.deps.watchesWorkflowAnswers) unanswered.forEach((m) => this.deps.guard.abandon(m));
		else if (result.outcome === 'timeout') unanswered.forEach((m) => this.deps.guard.timedOut(m));
		// A late answer could never be seen: the key goes back, as after a failure.
		else await Promise.all(unanswered.map((m) => this.deps.guard.failed(m)));
		await this.applyAll(unanswered, result);
	}

	/** Answers right away; only dead-lettering waits (for the copy to be stored), so the common path adds no turn. */
	private async applyAll(messages: HeldMessage[], result: ExecutionResult): Promise<void> {
		const copies: Array<Promise<void>> = [];
		for (const m of messages) {
			const copying = this.apply(m, this.decide(m, result.outcome, result), result);
			if (copying) copies.push(copying);
		}
		if (copies.length > 0) await Promise.all(copies);
	}

	private async record(messages: Decoded[], outcome: Outcome): Promise<void> {
		const { guard } = this.deps;
		if (guard === passThroughGuard) return;
		if (outcome === 'timeout') messages.forEach((m) => guard.timedOut(m));
		else if (outcome === 'failure') await Promise.all(messages.map((m) => guard.failed(m)));
		else await Promise.all(messages.map((m) => guard.processed(m)));
	}

	private apply(message: HeldMessage, decision: Decision, result: ExecutionResult): Promise<void> | undefined {
		const { lifecycle } = this.deps.loop;
		const { logger } = this.deps;
		const what = result.outcome === 'timeout' ? 'did not finish in time' : 'failed';
		const cause = result.error ?? `Execution ${what}`;
		switch (decision.action) {
			case 'ack':
				lifecycle.answer(message, 'ack');
				return undefined;
			case 'none':
				return undefined;
			case 'deadLetter':
				// The error text stays out of the log (it may quote data); the dead-letter copy keeps it, masked.
				if (decision.kind === 'rejected') logger.warn(`The execution for message ${message.sequence} failed with the permanent-failure marker; dead-lettering it`);
				else logger.warn(`The execution for message ${message.sequence} ${what} on its last allowed delivery; it will not be delivered again`);
				return this.deadLettering.giveUp(message, {
					kind: decision.kind,
					error: new Error(cause),
					failedNode: result.failedNode,
					executionStartedAt: result.startedAt,
				});
			default: {
				const delayMs = retryDelayMs(message.deliveries, this.deps.facts.backoffMs, this.deps.settings.retry);
				if (decision.action === 'awaitWorkflow') logger.info(`The execution for message ${message.sequence} succeeded but no Acknowledge node answered it; redelivering in ${(delayMs / 1000).toFixed(1)} s`);
				else logger.info(`The execution for message ${message.sequence} ${what} (delivery ${message.deliveries}); redelivering in ${(delayMs / 1000).toFixed(1)} s`);
				lifecycle.answer(message, { nak: decision.action === 'retry' && decision.at === 'once' ? undefined : delayMs });
				this.deps.stats.retried();
				return undefined;
			}
		}
	}

	private isPermanent(result: ExecutionResult): boolean {
		const marker = this.deps.settings.deadLetter?.permanentFailureMarker;
		return result.outcome === 'failure' && !!marker && !!result.error?.includes(marker);
	}
}
