import { headerValue, type HeaderRecord } from '../transport/headers';

/**
 * What a message of a key-value bucket's stream (KV_<bucket>) says about its key. A put carries the
 * value; a delete or purge writes an empty marker ("KV-Operation: DEL" / "PURGE"); on servers 2.11+
 * the server itself writes markers ("Nats-Marker-Reason") when a key's time to live ends or a key is
 * purged or removed through the stream.
 */

export type KvOperation = 'put' | 'delete' | 'purge' | 'expire';

export interface KvChange {
	key: string;
	operation: KvOperation;
	/** The server's own marker reason (MaxAge, Purge, Remove), when the server wrote the marker. */
	marker?: string;
}

const OPERATION_HEADER = 'KV-Operation';
const MARKER_HEADER = 'Nats-Marker-Reason';

const BY_HEADER: Record<string, KvOperation> = { DEL: 'delete', PURGE: 'purge' };
const BY_MARKER: Record<string, KvOperation> = { MaxAge: 'expire', Purge: 'purge', Remove: 'delete' };

export const KV_SUBJECT_PREFIX = '$KV.';

export const kvStreamName = (bucket: string): string => `KV_${bucket}`;

/** The subject a key (or a key filter such as orders.*) of the bucket is stored under. */
export const kvSubject = (bucket: string, key: string): string => `${KV_SUBJECT_PREFIX}${bucket}.${key}`;

export function kvOperation(headers: HeaderRecord): Omit<KvChange, 'key'> {
	const marker = headerValue(headers, MARKER_HEADER);
	if (marker !== undefined) return { operation: BY_MARKER[marker] ?? 'delete', marker };
	return { operation: BY_HEADER[headerValue(headers, OPERATION_HEADER) ?? ''] ?? 'put' };
}

export function kvChange(bucket: string, subject: string, headers: HeaderRecord): KvChange {
	const prefix = kvSubject(bucket, '');
	const key = subject.startsWith(prefix) ? subject.slice(prefix.length) : subject;
	return { key, ...kvOperation(headers) };
}
