import type { Outcome } from '../../shared/execution/emitter';
import { jittered } from '../../shared/execution/jitter';
import type { AckMode, RetrySettings } from '../settings';

/**
 * How a message is answered, decided in one place from what happened to it: the ack mode, how its
 * execution ended (or that it never ran), whether the server will deliver it again, and whether the
 * workflow declared the failure permanent. Settling after an execution, and handing a message back
 * at close or after a fault of the trigger itself, both ask here.
 */

/** `notRun`: the message was handed back before an execution started (closing, a fault of the trigger). */
export type MessageOutcome = Outcome | 'notRun';

export type Decision =
	| { action: 'ack' }
	/** Deliver again: after the retry delay (`backoff`), or at once for a message that did not run. */
	| { action: 'retry'; at: 'backoff' | 'once' }
	| { action: 'deadLetter'; kind: 'rejected' | 'exhausted' }
	/** "Later in the workflow": the Acknowledge node answers; a message it did not answer is retried. */
	| { action: 'awaitWorkflow' }
	/** "Immediately": answered before the execution started. */
	| { action: 'none' };

export function answerFor(ackMode: AckMode, outcome: MessageOutcome, lastDelivery: boolean, permanent: boolean): Decision {
	if (outcome === 'notRun') return lastDelivery ? { action: 'deadLetter', kind: 'exhausted' } : { action: 'retry', at: 'once' };
	if (ackMode === 'immediately') return { action: 'none' };
	if (outcome === 'success') return ackMode === 'later' ? { action: 'awaitWorkflow' } : { action: 'ack' };
	if (outcome === 'failure' && ackMode === 'executionFinishes') return { action: 'ack' };
	if (outcome === 'failure' && permanent) return { action: 'deadLetter', kind: 'rejected' };
	return lastDelivery ? { action: 'deadLetter', kind: 'exhausted' } : { action: 'retry', at: 'backoff' };
}

/** What the trigger does with a message whose execution fails, as its item tells the workflow. */
export type IfExecutionFails = 'retry' | 'dead-letter' | 'discard' | 'acknowledge' | 'nothing';

export function ifExecutionFails(ackMode: AckMode, lastDelivery: boolean, deadLetterOn: boolean): IfExecutionFails {
	const decision = answerFor(ackMode, 'failure', lastDelivery, false);
	switch (decision.action) {
		case 'ack':
			return 'acknowledge';
		case 'none':
			return 'nothing';
		case 'deadLetter':
			return deadLetterOn ? 'dead-letter' : 'discard';
		default:
			return 'retry';
	}
}

/** True when the server will not deliver this message again after a failure (`maxDeliver` ≤ 0: unlimited). */
export function isLastDelivery(deliveries: number, maxDeliver: number): boolean {
	return maxDeliver > 0 && deliveries >= maxDeliver;
}

/**
 * How long a failed message waits before the next delivery. The consumer's own backoff list wins
 * (one entry per delivery, the last one repeating); otherwise the delay doubles from the base, with
 * jitter, up to the maximum. The delay is always passed explicitly: a bare nak ignores the backoff.
 */
export function retryDelayMs(deliveryCount: number, backoffMs: number[], retry: RetrySettings, random = Math.random): number {
	const attempt = Math.max(1, deliveryCount);
	if (backoffMs.length > 0) return backoffMs[Math.min(attempt - 1, backoffMs.length - 1)];
	const exponential = retry.baseDelayMs * 2 ** Math.min(attempt - 1, 30);
	return Math.min(retry.maxDelayMs, jittered(exponential, random));
}
