import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { Objm } from '@nats-io/obj';

import type { NatsClient } from './client';

/**
 * Reads one version of an object: the version a description message names (by its nuid), not
 * whatever the object holds now. A version replaced or deleted since is gone (its chunks were
 * purged): that is said, never silently swapped for the newer bytes.
 */

export type ObjectVersion =
	| { found: true; data: Readable }
	| { found: false; why: 'deleted' | 'replaced' };

/** Raised while streaming when the bytes do not match the object's SHA-256 digest. */
export class CorruptObjectError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'CorruptObjectError';
	}
}

/** No bytes for this long: the read is abandoned (its chunks vanished under it), and retried later. */
const STALL_MS = 30_000;

/** nats.js reports a digest mismatch as a plain Error; this is its wording. */
const isDigestMismatch = (error: unknown) => /digests do not match|corrupt object/i.test((error as Error)?.message ?? '');

function guarded(source: WebReadableStream<Uint8Array>, what: string): Readable {
	const stream = Readable.fromWeb(source);
	const out = new Readable({ read: () => stream.resume() });
	let stall: NodeJS.Timeout | undefined;
	const arm = () => {
		clearTimeout(stall);
		stall = setTimeout(() => stream.destroy(new Error(`No data of ${what} arrived for ${STALL_MS / 1000} s; it is read again later`)), STALL_MS);
	};
	arm();
	stream.on('data', (chunk: Buffer) => {
		arm();
		if (!out.push(chunk)) stream.pause();
	});
	stream.on('end', () => {
		clearTimeout(stall);
		out.push(null);
	});
	stream.on('error', (error) => {
		clearTimeout(stall);
		out.destroy(isDigestMismatch(error) ? new CorruptObjectError(`${what} is corrupt: its bytes do not match its SHA-256 digest`, { cause: error }) : error);
	});
	return out;
}

export async function readObjectVersion(client: NatsClient, bucket: string, name: string, nuid: string | undefined): Promise<ObjectVersion> {
	const store = await new Objm(client.js).open(bucket, false);
	const current = await store.info(name);
	if (current === null || current.deleted) return { found: false, why: 'deleted' };
	if (nuid !== undefined && current.nuid !== nuid) return { found: false, why: 'replaced' };
	const result = await store.get(name);
	if (result === null) return { found: false, why: 'deleted' };
	if (nuid !== undefined && result.info.nuid !== nuid) {
		await result.data.cancel();
		return { found: false, why: 'replaced' };
	}
	const data = guarded(result.data as unknown as WebReadableStream<Uint8Array>, `Object "${name}" of bucket "${bucket}"`);
	// nats.js reports a failed read on this promise as well as on the stream: both end in the stream.
	result.error.catch((error: unknown) => data.destroy(error as Error));
	return { found: true, data };
}
