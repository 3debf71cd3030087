import { withJetStreamNode } from '../../../shared/advice';
import { JetStreamApiCodes, JetStreamNodeError } from '../../../shared/errors';
import { isStreamNotFound, toNodeError } from '../../../shared/errorMapping';

/**
 * Key-Value errors in the user's terms. The server speaks of streams and sequences ("stream not
 * found", "wrong last sequence: 7"); a workflow author thinks of buckets, keys and revisions.
 */

interface ErrorLike {
	name?: string;
	message?: string;
	code?: unknown;
	cause?: unknown;
}

function chain(error: unknown): ErrorLike[] {
	const out: ErrorLike[] = [];
	for (let e: unknown = error; e && typeof e === 'object' && out.length < 6; e = (e as ErrorLike).cause) {
		out.push(e as ErrorLike);
	}
	return out;
}

function hasCode(error: unknown, ...codes: number[]): boolean {
	return chain(error).some((e) => typeof e.code === 'number' && codes.includes(e.code));
}

/** A write to a bucket whose stream is missing has no responders (or JetStream looks disabled). */
export function isNoResponders(error: unknown): boolean {
	return chain(error).some((e) => e.name === 'JetStreamNotEnabled' || e.name === 'NoRespondersError');
}

export function isRevisionConflict(error: unknown): boolean {
	return (
		hasCode(error, JetStreamApiCodes.StreamWrongLastSequence, JetStreamApiCodes.StreamWrongLastSequenceUnknown) ||
		chain(error).some((e) => /wrong last sequence/i.test(e.message ?? ''))
	);
}

/** The key's revision the server reported when it refused a conditional write ("wrong last sequence: 7"). */
export function actualRevision(error: unknown): number | undefined {
	for (const e of chain(error)) {
		const match = /wrong last sequence:\s*(\d+)/i.exec(e.message ?? '');
		if (match) return Number(match[1]);
	}
	return undefined;
}

export function bucketMissing(bucket: string, cause?: unknown): JetStreamNodeError {
	return new JetStreamNodeError('not-found', `Key-Value bucket "${bucket}" does not exist; create it with the Create Bucket operation`, {
		hint: `Check the bucket name, or create it with ${withJetStreamNode('Key-Value → Create Bucket')}`,
		cause,
	});
}

export function keyMissing(bucket: string, key: string, detail = ''): JetStreamNodeError {
	return new JetStreamNodeError('not-found', `Key "${key}" was not found in Key-Value bucket "${bucket}"${detail}`, {
		hint: 'Check the key, or turn on "Output Item If Missing" to continue with found: false',
	});
}

export function keyExists(bucket: string, key: string, revision: number | undefined, cause?: unknown): JetStreamNodeError {
	const at = revision ? ` (revision ${revision})` : '';
	return new JetStreamNodeError('conflict', `Key "${key}" already exists in Key-Value bucket "${bucket}"${at}; Create only writes keys that do not exist yet`, {
		hint: 'Use Put to overwrite it, or Update with its current revision to change it safely',
		cause,
	});
}

export function revisionConflict(bucket: string, key: string, expected: number, actual: number | undefined, cause?: unknown): JetStreamNodeError {
	const now =
		actual === undefined ? 'is at another revision' : actual === 0 ? 'does not exist' : `is at revision ${actual}`;
	return new JetStreamNodeError('conflict', `KV revision conflict: key "${key}" in bucket "${bucket}" ${now}, expected revision ${expected}`, {
		hint: 'Someone changed the key since you read it: get the key again and retry with its current revision',
		cause,
	});
}

/** Other Key-Value errors that need the bucket's name (not a stream's) to make sense. */
export function kvError(error: unknown, bucket: string, key?: string): JetStreamNodeError {
	if (error instanceof JetStreamNodeError) return error;
	if (isStreamNotFound(error)) return bucketMissing(bucket, error);
	if (hasCode(error, JetStreamApiCodes.StreamNameInUse)) {
		return new JetStreamNodeError('conflict', `Key-Value bucket "${bucket}" already exists with other settings`, {
			hint: 'Use Create or Update Bucket to change its settings, or Get Bucket to see them',
			cause: error,
		});
	}
	if (hasCode(error, JetStreamApiCodes.MessageTtlDisabled)) {
		return new JetStreamNodeError('configuration', `Per-key TTL is not turned on for Key-Value bucket "${bucket}"`, {
			hint: 'Turn it on with Create or Update Bucket → "Per-Key TTL Marker (Seconds)" above 0 (server 2.11+), or remove "Key TTL"',
			cause: error,
		});
	}
	if (hasCode(error, JetStreamApiCodes.MessageTtlInvalid)) {
		return new JetStreamNodeError('invalid-input', `The server refused the key TTL for key "${key ?? ''}"`, {
			hint: 'Use a whole number of seconds, at least 1',
			cause: error,
		});
	}
	return toNodeError(error, { bucket, key });
}

