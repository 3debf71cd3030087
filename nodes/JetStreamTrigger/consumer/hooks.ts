import type { Delivery } from '../../shared/transport/consume';
import type { DecodedPayload } from './decode';

/**
 * Hook points for schema validation, idempotency and dead-lettering. The trigger runs each message
 * through decode → guard.check → emit → settle → guard.processed; the defaults do nothing, so the
 * features can be plugged in without touching the consume loop.
 */

export interface DecodedMessage {
	delivery: Delivery;
	payload: DecodedPayload;
}

export type GuardVerdict =
	| { action: 'process' }
	/** Already handled (idempotency): acknowledged without running the workflow. */
	| { action: 'skip'; reason: string }
	/** Can never succeed (schema violation): dead-lettered and terminated. */
	| { action: 'reject'; error: Error };

export interface MessageGuard {
	check(message: DecodedMessage): Promise<GuardVerdict>;
	/** After the workflow handled the message successfully, e.g. to record its idempotency key. */
	processed(message: DecodedMessage): Promise<void>;
}

export type DeadLetterKind = 'poison' | 'rejected' | 'exhausted';

export interface DeadLetterSink {
	/**
	 * Stores a message that will not be retried. Returns true when it was stored, so terminating it
	 * loses nothing; false leaves the decision to the trigger (poison: term anyway; exhausted: nak).
	 */
	send(delivery: Delivery, reason: Error, kind: DeadLetterKind): Promise<boolean>;
}

export const passThroughGuard: MessageGuard = {
	check: async () => ({ action: 'process' }),
	processed: async () => undefined,
};

export const noDeadLetter: DeadLetterSink = {
	send: async () => false,
};
