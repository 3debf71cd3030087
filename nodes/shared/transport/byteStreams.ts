import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * Node streams (what n8n gives and takes for binary data) to and from the web streams of nats.js,
 * one piece at a time: a piece is read only when the other side asked for the next one, so a large
 * file never sits in memory whole.
 */

/** Sees every piece that passes, e.g. to log progress. */
export type ByteCounter = (bytes: number) => void;

export function fromNodeStream(source: Readable, counter?: ByteCounter): ReadableStream<Uint8Array> {
	const pieces = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
	return new ReadableStream<Uint8Array>(
		{
			async pull(controller) {
				const { done, value } = await pieces.next();
				if (done) {
					controller.close();
					return;
				}
				const bytes = typeof value === 'string' ? Buffer.from(value) : value;
				counter?.(bytes.length);
				controller.enqueue(bytes);
			},
			async cancel(reason) {
				await pieces.return?.(reason);
			},
		},
		// Nothing read ahead: nats.js asks for the next piece when it has sent the last chunk.
		{ highWaterMark: 0 },
	);
}

export function toNodeStream(source: ReadableStream<Uint8Array>, counter?: ByteCounter): Readable {
	const counted = counter
		? source.pipeThrough(
				new TransformStream<Uint8Array, Uint8Array>({
					transform(piece, controller) {
						counter(piece.length);
						controller.enqueue(piece);
					},
				}),
			)
		: source;
	return Readable.fromWeb(counted as WebReadableStream<Uint8Array>);
}
