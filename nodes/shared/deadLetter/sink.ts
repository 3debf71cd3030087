import type { NatsClient } from '../transport/client';
import { deadLetter, type DeadLetterOptions, type DeadLetterResult, type DeadLetterSource } from './deadLetter';
import type { DeadLetterReason } from './envelope';

/**
 * An adapter for the trigger's dead-letter hook (`send(delivery, error, kind) → stored?`). It is
 * typed structurally so the library does not depend on the trigger's files.
 */

/** The trigger's names for why a message is given up. */
export type TriggerDeadLetterKind = 'poison' | 'invalid' | 'rejected' | 'exhausted';

const REASON_OF_KIND: Record<TriggerDeadLetterKind, DeadLetterReason> = {
	poison: 'parse-error',
	invalid: 'schema-invalid',
	rejected: 'rejected',
	exhausted: 'max-deliveries',
};

export function reasonForKind(kind: TriggerDeadLetterKind): DeadLetterReason {
	return REASON_OF_KIND[kind];
}

export type SinkOptions = Omit<DeadLetterOptions, 'reason' | 'error'> & {
	/** Called after each attempt, e.g. to log a failed dead-letter publish. */
	onResult?: (result: DeadLetterResult, source: DeadLetterSource) => void;
};

export interface DeadLetterSinkLike {
	send(delivery: DeadLetterSource, reason: Error, kind: TriggerDeadLetterKind): Promise<boolean>;
}

/**
 * `send` resolves true when the copy is stored. With the default `settle: true` the sink answers
 * the message itself (term when stored, nak with a delay when not); the trigger's own term()/nak()
 * afterwards is then ignored by the client (a message is answered once), so a message whose copy
 * failed comes back instead of being dropped.
 */
export function createDeadLetterSink(client: NatsClient, options: SinkOptions = {}): DeadLetterSinkLike {
	const { onResult, ...rest } = options;
	return {
		async send(delivery, reason, kind) {
			const result = await deadLetter(client, delivery, { ...rest, reason: reasonForKind(kind), error: reason });
			onResult?.(result, delivery);
			return result.status === 'dead-lettered';
		},
	};
}
