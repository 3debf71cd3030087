import { createHash } from 'node:crypto';

import type { NatsClient } from './client';
import { untilRefused } from './refusals';

/**
 * An object's chunks as a stream that reads the next chunk only when the reader asks for it.
 * nats.js's own `get()` pushes every chunk into its stream as fast as the server sends them, so a
 * reader slower than the network (n8n writing to disk or S3) ends up with the whole file in memory;
 * here an ordered pull consumer holds at most a few chunks. Like nats.js, the stream fails when the
 * chunks' SHA-256 (or their total size) differs from what the object's entry recorded.
 */

/** Chunks fetched ahead of the reader: 8 × 128 KiB by default. */
const CHUNKS_AHEAD = 8;

export class ObjectCorruptError extends Error {
	constructor(detail: string) {
		super(`received a corrupt object, digests do not match: ${detail}`);
		this.name = 'ObjectCorruptError';
	}
}

export interface ChunkSource {
	stream: string;
	/** `$O.<bucket>.C.<nuid>` */
	subject: string;
	size: number;
	/** "SHA-256=<base64 or base64url>" */
	digest: string;
}

function expectedDigest(digest: string): Buffer {
	const value = digest.replace(/^SHA-256=/i, '');
	// Written as hex by some clients; Node's base64 reader takes the url-safe alphabet and padding.
	return /^[0-9a-f]{64}$/i.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/** A refused pull is told only on the connection: without this the read would wait forever. */
const pullsOf = (stream: string) => (subject: string) => subject.includes(`.CONSUMER.MSG.NEXT.${stream}.`);

export async function chunkStream(client: NatsClient, source: ChunkSource): Promise<ReadableStream<Uint8Array>> {
	if (source.size === 0) return new ReadableStream({ start: (c) => c.close() });
	// Without any chunk left the consumer below would wait forever: say so at once.
	const last = await (await client.jsm()).streams.getMessage(source.stream, { last_by_subj: source.subject });
	if (!last) throw new ObjectCorruptError(`none of its ${source.size} bytes are stored`);
	// filter_subjects as a string: nats.js sends it as filter_subject, which 2.9 understands.
	const consumer = await client.js.consumers.get(source.stream, { filter_subjects: source.subject });
	const messages = await consumer.consume({ max_messages: CHUNKS_AHEAD });
	const pieces = untilRefused(client.nc, messages, pullsOf(source.stream));
	const hash = createHash('sha256');
	let received = 0;
	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				const { done, value } = await pieces.next();
				if (done) return controller.error(new ObjectCorruptError(`the chunks ended after ${received} of ${source.size} bytes`));
				hash.update(value.data);
				received += value.data.length;
				if (value.data.length > 0) controller.enqueue(value.data);
				if (value.info.pending > 0) return;
				messages.stop();
				await pieces.return(undefined);
				const computed = hash.digest();
				if (!computed.equals(expectedDigest(source.digest)) || received !== source.size) {
					return controller.error(new ObjectCorruptError(`expected ${source.digest} (${source.size} bytes), computed SHA-256=${computed.toString('base64url')} (${received} bytes)`));
				}
				controller.close();
			},
			async cancel() {
				messages.stop();
				await pieces.return(undefined);
			},
		},
		{ highWaterMark: 0 },
	);
}
