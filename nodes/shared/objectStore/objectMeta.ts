import { InvalidParameterError } from '../errors';
import { BUCKET_RULE, wholeValue } from '../validation';

/**
 * What a message of an object store's stream (OBJ_<bucket>) says about an object. The stream holds the
 * object's bytes in chunks under $O.<bucket>.C.<nuid> and, after them, one JSON description per object
 * under $O.<bucket>.M.<name in base64>: a put, a delete (deleted: true) or a link. The descriptions are
 * what the object store trigger reads; each one names the chunks (nuid) of its own version.
 */

export type ObjectOperation = 'put' | 'delete' | 'link';

export interface ObjectLink {
	bucket: string;
	name?: string;
}

/** The description as the server stores it (written by any client: Go, Python, NATS.js, the CLI). */
export interface StoredObjectMeta {
	name: string;
	bucket?: string;
	nuid?: string;
	size?: number;
	chunks?: number;
	digest?: string;
	mtime?: string;
	deleted?: boolean;
	description?: string;
	headers?: Record<string, string[]>;
	metadata?: Record<string, string>;
	options?: { link?: ObjectLink; max_chunk_size?: number };
}

export const objectStoreStreamName = (bucket: string): string => `OBJ_${bucket}`;

/** Every object description of the bucket (never its chunks). */
export const objectMetaSubjects = (bucket: string): string => `$O.${bucket}.M.>`;

export function isObjectMeta(value: unknown): value is StoredObjectMeta {
	return typeof value === 'object' && value !== null && typeof (value as StoredObjectMeta).name === 'string';
}

export function objectOperation(meta: StoredObjectMeta): ObjectOperation {
	if (meta.deleted === true) return 'delete';
	return meta.options?.link ? 'link' : 'put';
}

const BUCKET_PATTERN = wholeValue(BUCKET_RULE);
/** The bucket becomes the stream OBJ_<bucket>; stream names are limited to 255 characters. */
const MAX_BUCKET_LENGTH = 251;

/** Object store buckets follow the key-value rule: letters, digits, - and _ (the stream is OBJ_<bucket>). */
export function validateObjectBucketName(value: unknown, field = 'Bucket'): string {
	const name = String(value ?? '').trim();
	if (name === '') {
		throw new InvalidParameterError(field, `"${field}" is empty`, 'Enter the name of the Object Store bucket, e.g. invoices');
	}
	if (!BUCKET_PATTERN.test(name) || name.length > MAX_BUCKET_LENGTH) {
		throw new InvalidParameterError(
			field,
			`"${name}" is not a valid object store bucket name (field "${field}")`,
			'Bucket names use letters, digits, - and _ only: no spaces, dots or other symbols',
		);
	}
	return name;
}
