import type { DeadLetterReason } from './envelope';

/** The trigger's names for why a message is given up, and the reason header each one becomes. */
export type TriggerDeadLetterKind = 'poison' | 'decrypt' | 'invalid' | 'rejected' | 'exhausted';

const REASON_OF_KIND: Record<TriggerDeadLetterKind, DeadLetterReason> = {
	poison: 'parse-error',
	decrypt: 'decrypt-failed',
	invalid: 'schema-invalid',
	rejected: 'rejected',
	exhausted: 'max-deliveries',
};

export function reasonForKind(kind: TriggerDeadLetterKind): DeadLetterReason {
	return REASON_OF_KIND[kind];
}
