import { Readable } from 'node:stream';

import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { ByteCounter } from '../../../shared/transport';

/**
 * Files between n8n and the object store as streams. n8n keeps a binary field either in memory
 * (base64 in the item) or, in filesystem / S3 mode, outside it under an `id`: that one is read as a
 * stream, so a large file is never loaded whole; one held in memory is already there and is sent
 * from that one buffer.
 */

/** Progress is logged every this many bytes, and only for files at least that large. */
export const PROGRESS_STEP_BYTES = 10 * 1024 * 1024;

export interface InputFile {
	binary: IBinaryData;
	data: Readable;
}

export async function readInputFile(fn: IExecuteFunctions, itemIndex: number, property: string): Promise<InputFile> {
	const binary = fn.helpers.assertBinaryData(itemIndex, property);
	if (binary.id) return { binary, data: await fn.helpers.getBinaryStream(binary.id) };
	const buffer = await fn.helpers.getBinaryDataBuffer(itemIndex, property);
	// One piece per chunk nats.js sends, not a copy of the buffer.
	return { binary, data: Readable.from(sliced(buffer), { objectMode: false }) };
}

function* sliced(buffer: Buffer, size = 128 * 1024): Generator<Buffer> {
	for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}

/** A counter that logs "<verb> … 20 MB of 55 MB" at every 10 MB step. */
export function progressLog(fn: IExecuteFunctions, verb: string, where: string, total: number | undefined): ByteCounter {
	let seen = 0;
	let next = PROGRESS_STEP_BYTES;
	const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
	return (bytes) => {
		seen += bytes;
		if (seen < next) return;
		next = (Math.floor(seen / PROGRESS_STEP_BYTES) + 1) * PROGRESS_STEP_BYTES;
		const of = total ? ` of ${mb(total)}` : '';
		fn.logger.info(`${verb} ${where}: ${mb(seen)}${of}`, { bytes: seen, node: fn.getNode().name });
	};
}

/** The file name of an object: its last path part ("invoices/2026/a.pdf" → "a.pdf"). */
export function fileNameOf(objectName: string): string {
	const parts = objectName.split('/').filter((p) => p !== '');
	return parts[parts.length - 1] ?? objectName;
}

/** The MIME type stored with the object (Content-Type header), if any. */
export function storedMimeType(headers: Record<string, string>): string | undefined {
	const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === 'content-type');
	return entry?.[1] || undefined;
}

/**
 * The MIME type to give n8n: the stored one; else none, so that n8n looks it up from the file name's
 * extension; a name without an extension is bytes (n8n would call it text/plain).
 */
export function mimeTypeFor(objectName: string, headers: Record<string, string>): string | undefined {
	const stored = storedMimeType(headers);
	if (stored) return stored;
	return /\.[A-Za-z0-9]+$/.test(fileNameOf(objectName)) ? undefined : 'application/octet-stream';
}
