import { createHash } from 'node:crypto';

import { InvalidParameterError } from '../errors';
import { BUCKET_RULE, wholeValue } from '../validation';

/**
 * Where idempotency keys come from and how they are stored. KV keys may only hold letters, digits
 * and `-/_=.`, so a key that is not already that plain is stored as its SHA-256; a prefix tells the
 * two forms apart, so two different keys never share a KV entry.
 */

/** The header JetStream itself deduplicates publishes by. */
export const DEFAULT_KEY_HEADER = 'Nats-Msg-Id';
const PLAIN_KEY = /^[-\w=]{1,128}$/;
const BUCKET_MAX = 64;
const BUCKET_PATTERN = wholeValue(BUCKET_RULE);

export type HeaderValues = Record<string, string | string[]>;

/** The idempotency key from a header (case-insensitive); undefined when the header is missing or blank. */
export function keyFromHeaders(headers: HeaderValues, headerName = DEFAULT_KEY_HEADER): string | undefined {
	const wanted = headerName.toLowerCase();
	for (const [name, value] of Object.entries(headers)) {
		if (name.toLowerCase() !== wanted) continue;
		const first = (Array.isArray(value) ? value[0] : value)?.trim();
		return first ? first : undefined;
	}
	return undefined;
}

/** The KV key for an idempotency key: `k.<key>` when it is plain, else `h.<sha256>`. */
export function storageKey(key: string, namespace?: string): string {
	if (key === '') {
		throw new InvalidParameterError('Idempotency Key', 'The idempotency key is empty', 'Check the header or expression that provides the key');
	}
	const stored = PLAIN_KEY.test(key) ? `k.${key}` : `h.${createHash('sha256').update(key, 'utf8').digest('hex')}`;
	return namespace ? `${checkNamespace(namespace)}.${stored}` : stored;
}

function checkNamespace(namespace: string): string {
	if (!/^[-\w=]{1,64}$/.test(namespace)) {
		throw new InvalidParameterError(
			'Key Prefix',
			`"${namespace}" is not a valid key prefix`,
			'Use up to 64 letters, digits, - and _ (no dots or spaces)',
		);
	}
	return namespace;
}

/**
 * Default bucket per consumer: `n8n_processed_<stream>_<consumer>`. Characters a bucket name cannot
 * hold become `_`; a name longer than 64 characters keeps its start and ends in a short hash.
 */
export function processedBucketName(stream: string, consumer: string): string {
	const raw = `n8n_processed_${stream}_${consumer}`;
	const safe = raw.replace(/[^-\w]/g, '_');
	if (safe.length <= BUCKET_MAX && safe === raw) return safe;
	const hash = createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, 12);
	return `${safe.slice(0, BUCKET_MAX - hash.length - 1)}_${hash}`;
}

/** A bucket name given by the user. */
export function validateBucketName(name: string, field = 'Bucket'): string {
	const trimmed = name.trim();
	if (!BUCKET_PATTERN.test(trimmed) || trimmed.length > 255) {
		throw new InvalidParameterError(field, `"${trimmed}" is not a valid bucket name`, 'Use letters, digits, - and _ only');
	}
	return trimmed;
}
