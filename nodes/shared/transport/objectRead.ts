import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { Objm } from '@nats-io/obj';

import type { NatsClient } from './client';
import { chunkStream, ObjectCorruptError } from './objectDownload';

/**
 * Reads one version of an object: the version a description message names (by its nuid), not
 * whatever the object holds now. A version replaced or deleted since is gone (its chunks were
 * purged): that is said, never silently swapped for the newer bytes. The chunks are pulled as the
 * reader asks for them (objectDownload.ts), so a large object is never held whole in memory.
 */

export interface ObjectVersionRef {
	bucket: string;
	name: string;
	nuid: string;
	size: number;
	digest: string;
}

/** The bytes do not match the object's SHA-256 digest (or size): they never will. */
export class CorruptObjectError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'CorruptObjectError';
	}
}

/** No bytes for this long: the read is abandoned (its chunks vanished under it), and tried again later. */
const STALL_MS = 30_000;

const describe = (ref: ObjectVersionRef) => `Object "${ref.name}" of bucket "${ref.bucket}"`;

function asCorrupt(error: unknown, ref: ObjectVersionRef): unknown {
	if (!(error instanceof ObjectCorruptError)) return error;
	return new CorruptObjectError(`${describe(ref)} is corrupt: its bytes do not match its SHA-256 digest (${error.message.replace(/^.*?: /, '')})`, { cause: error });
}

/**
 * The chunks as a Node stream (what n8n's binary store reads): a digest mismatch fails it naming the
 * object, and so does a read that gets no byte for a while (its chunks purged under it).
 */
function nodeStream(source: WebReadableStream<Uint8Array>, ref: ObjectVersionRef): Readable {
	const chunks = Readable.fromWeb(source);
	const out = new Readable({ read: () => chunks.resume() });
	let stall: NodeJS.Timeout | undefined;
	const arm = () => {
		clearTimeout(stall);
		stall = setTimeout(() => chunks.destroy(new Error(`No data of ${describe(ref)} arrived for ${STALL_MS / 1000} s`)), STALL_MS);
	};
	arm();
	chunks.on('data', (chunk: Buffer) => {
		arm();
		if (!out.push(chunk)) chunks.pause();
	});
	chunks.on('end', () => {
		clearTimeout(stall);
		out.push(null);
	});
	chunks.on('error', (error) => {
		clearTimeout(stall);
		out.destroy(asCorrupt(error, ref) as Error);
	});
	// The reader gave up early (n8n could not store the file): stop pulling chunks now, not after the stall.
	out.on('close', () => {
		clearTimeout(stall);
		if (!chunks.destroyed) chunks.destroy();
	});
	return out;
}

/** 'deleted' or 'replaced' when the object no longer holds this version; undefined while it does. */
export async function objectVersionGone(client: NatsClient, ref: Pick<ObjectVersionRef, 'bucket' | 'name' | 'nuid'>): Promise<'deleted' | 'replaced' | undefined> {
	const store = await new Objm(client.js).open(ref.bucket, false);
	const current = await store.info(ref.name);
	if (current === null || current.deleted) return 'deleted';
	return current.nuid === ref.nuid ? undefined : 'replaced';
}

/** The version's bytes; a mismatch with its digest fails the stream with a CorruptObjectError. */
export async function openObjectVersion(client: NatsClient, ref: ObjectVersionRef): Promise<Readable> {
	let web: ReadableStream<Uint8Array>;
	try {
		web = await chunkStream(client, { stream: `OBJ_${ref.bucket}`, subject: `$O.${ref.bucket}.C.${ref.nuid}`, size: ref.size, digest: ref.digest });
	} catch (error) {
		throw asCorrupt(error, ref);
	}
	return nodeStream(web as unknown as WebReadableStream<Uint8Array>, ref);
}
