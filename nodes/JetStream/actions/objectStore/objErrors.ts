import { withJetStreamNode } from '../../../shared/advice';
import { JetStreamApiCodes, JetStreamNodeError } from '../../../shared/errors';
import { hasApiCode, isStreamNotFound, toNodeError } from '../../../shared/errorMapping';

/**
 * Object Store errors in the user's terms. nats.js speaks of streams, subjects and plain sentences
 * ("stream not found", "object store not found", "received a corrupt object, digests do not match");
 * a workflow author thinks of buckets and objects (files), so every error here names both.
 */

interface ErrorLike {
	name?: string;
	message?: string;
	cause?: unknown;
}

function messages(error: unknown): string[] {
	const out: string[] = [];
	for (let e: unknown = error; e && typeof e === 'object' && out.length < 6; e = (e as ErrorLike).cause) {
		out.push(String((e as ErrorLike).message ?? ''));
	}
	if (typeof error === 'string') out.push(error);
	return out;
}

const says = (error: unknown, pattern: RegExp) => messages(error).some((m) => pattern.test(m));

/** A write to a bucket whose stream is missing has no responders (or JetStream looks disabled). */
function isNoResponders(error: unknown): boolean {
	for (let e: unknown = error; e && typeof e === 'object'; e = (e as ErrorLike).cause) {
		const name = (e as ErrorLike).name;
		if (name === 'JetStreamNotEnabled' || name === 'NoRespondersError') return true;
	}
	return false;
}

export const isDigestMismatch = (error: unknown): boolean => says(error, /digests do not match/i);

export function bucketMissing(bucket: string, cause?: unknown): JetStreamNodeError {
	return new JetStreamNodeError('not-found', `Object store bucket "${bucket}" does not exist`, {
		hint: `Check the bucket name (Object Store → Get Many Buckets lists them), or create it with ${withJetStreamNode('Object Store → Create Bucket')}`,
		cause,
	});
}

export function objectMissing(bucket: string, name: string, detail = ''): JetStreamNodeError {
	return new JetStreamNodeError('not-found', `Object "${name}" was not found in object store bucket "${bucket}"${detail}`, {
		hint: 'Check the object name (Object Store → Get Many Objects lists them); names are case-sensitive and include any folder part, e.g. reports/2026/march.pdf',
	});
}

export function corruptObject(bucket: string, name: string, cause?: unknown): JetStreamNodeError {
	return new JetStreamNodeError('server', `Object "${name}" in object store bucket "${bucket}" is corrupt or incomplete: the SHA-256 digest of its stored chunks does not match the digest recorded when it was written`, {
		hint: 'A chunk was lost or changed on the server (a purge, a limit such as max age or max bytes, or a manual edit of the stream). The stored copy cannot be trusted: put the file again from its source, or delete the object',
		cause,
	});
}

/** Errors of an Object Store call, with the bucket's and the object's names. */
export function objError(error: unknown, bucket: string, name?: string): JetStreamNodeError {
	if (error instanceof JetStreamNodeError) return error;
	if (isStreamNotFound(error) || says(error, /object store not found/i) || isNoResponders(error)) return bucketMissing(bucket, error);
	if (name !== undefined && isDigestMismatch(error)) return corruptObject(bucket, name, error);
	if (hasApiCode(error, JetStreamApiCodes.StreamNameInUse)) {
		return new JetStreamNodeError('conflict', `Object store bucket "${bucket}" already exists with other settings`, {
			hint: 'Use Get Bucket to see its settings, or delete the bucket and create it again (its objects are lost)',
			cause: error,
		});
	}
	if (says(error, /an object already exists with that name/i)) {
		return new JetStreamNodeError('conflict', `Object "${name ?? '?'}" already exists in object store bucket "${bucket}"; a link gets a name no object has`, {
			hint: 'Choose another link name, or delete the object first',
			cause: error,
		});
	}
	if (says(error, /src object is a link/i)) {
		return new JetStreamNodeError('invalid-input', `The link target is itself a link; a link must point at a stored object (bucket "${bucket}", link "${name ?? '?'}")`, {
			hint: 'Point the link at the object the other link points to',
			cause: error,
		});
	}
	if (says(error, /link is a bucket/i)) {
		return new JetStreamNodeError('invalid-input', `"${name ?? '?'}" in object store bucket "${bucket}" links a whole bucket, not a file: it has no content to get`, {
			hint: 'Get an object from the linked bucket instead (Get Object shows which bucket it links)',
			cause: error,
		});
	}
	const mapped = toNodeError(error, { bucket, key: name });
	const where = name === undefined ? `object store bucket "${bucket}"` : `object "${name}" in object store bucket "${bucket}"`;
	// Refusals, connection and login errors keep their own words (and type: a refused right is reported as such).
	if ((mapped.category !== 'server' && mapped.category !== 'timeout') || mapped.message.includes(`"${bucket}"`)) return mapped;
	return new JetStreamNodeError(mapped.category, `${mapped.message} (${where})`, { hint: mapped.hint, cause: error });
}

/** Runs one Object Store call; its errors come back naming the bucket and the object. */
export async function onObjects<T>(bucket: string, name: string | undefined, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		throw objError(error, bucket, name);
	}
}
