import { kvOperation } from '../../shared/keyValue/changes';
import { decodePayload, type DecodeResult } from '../../shared/payload/decode';
import { DecryptError, isEncrypted, openPayload } from '../../shared/payload/crypto';
import type { Delivery } from '../../shared/transport/delivery';
import type { TriggerSettings } from '../settings';
import type { MessageGuard } from './hooks';

/**
 * How the trigger's source shapes a message's payload. A key-value delete, purge or expiry marker
 * carries no value (its empty body is not a bad JSON document, nor a value to check against a
 * schema); an object store description is JSON whatever the Content option says.
 */

/** Whether the message carries a payload of the user's: false for a key-value marker. */
export function carriesPayload(delivery: Pick<Delivery, 'headers'>, source: TriggerSettings['source']): boolean {
	return source.kind !== 'keyValue' || kvOperation(delivery.headers).operation === 'put';
}

/** A decoded payload, or an encrypted message the credential's keys cannot open (never retried: no key appears by waiting). */
export type DeliveryPayload = DecodeResult | { kind: 'undecryptable'; error: DecryptError };

export function decodeDelivery(delivery: Delivery, settings: Pick<TriggerSettings, 'source' | 'content' | 'encryptionKeys'>): DeliveryPayload {
	if (!carriesPayload(delivery, settings.source)) return { kind: 'json', value: null };
	let data = delivery.data;
	if (isEncrypted(delivery.headers)) {
		const opened = openPayload(delivery.subject, delivery.data, delivery.headers, settings.encryptionKeys ?? []);
		if (opened instanceof DecryptError) return { kind: 'undecryptable', error: opened };
		data = opened;
	}
	const raw = { subject: delivery.subject, data, headers: delivery.headers, streamSequence: delivery.streamSequence };
	return decodePayload(raw, settings.source.kind === 'objectStore' ? 'json' : settings.content);
}

/** A schema check of key-value values: a marker has no value to check, so it always passes. */
export function onlyPayloads(guard: MessageGuard, source: TriggerSettings['source']): MessageGuard {
	if (source.kind !== 'keyValue') return guard;
	// Delegates method by method: a guard is a class instance, whose methods a spread would not copy.
	return {
		check: async (message) => (carriesPayload(message.delivery, source) ? await guard.check(message) : { action: 'process' }),
		processed: async (message) => await guard.processed(message),
		failed: async (message) => await guard.failed(message),
		timedOut: (message) => guard.timedOut(message),
		abandon: (message) => guard.abandon(message),
		lateAnswer: async (sequence, kind) => await guard.lateAnswer(sequence, kind),
	};
}
