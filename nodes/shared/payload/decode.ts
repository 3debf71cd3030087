import type { Delivery } from '../../shared/transport/consume';
import type { ContentMode } from '../settings';

/** A payload turned into what the workflow sees. */
export type DecodedPayload =
	| { kind: 'json'; value: unknown }
	| { kind: 'text'; value: string }
	| { kind: 'binary'; value: Buffer; mimeType: string };

/** A payload that cannot be read as configured; returned, not thrown, so one message never stops the loop. */
export type DecodeResult = DecodedPayload | { kind: 'poison'; error: PoisonMessageError };

/** A message the workflow can never handle as configured (bad JSON when JSON is expected). */
export class PoisonMessageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PoisonMessageError';
	}
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const looseUtf8 = new TextDecoder('utf-8');

function header(delivery: Delivery, name: string): string | undefined {
	const key = Object.keys(delivery.headers).find((k) => k.toLowerCase() === name.toLowerCase());
	const value = key === undefined ? undefined : delivery.headers[key];
	return Array.isArray(value) ? value[0] : value;
}

export function headerValue(delivery: Delivery, name: string): string | undefined {
	return header(delivery, name);
}

function binary(delivery: Delivery): DecodedPayload {
	const mimeType = header(delivery, 'Content-Type') ?? 'application/octet-stream';
	return { kind: 'binary', value: Buffer.from(delivery.data), mimeType };
}

function strictJson(delivery: Delivery): DecodeResult {
	// An empty message carries no JSON document; it is passed on as null rather than refused.
	if (delivery.data.length === 0) return { kind: 'json', value: null };
	const where = `Message ${delivery.streamSequence} on subject "${delivery.subject}"`;
	let text: string;
	try {
		text = strictUtf8.decode(delivery.data);
	} catch {
		// Bytes that are not text cannot be JSON; say so rather than quote garbage.
		const reason = `${where} is not UTF-8 text, so it cannot be JSON (${delivery.data.length} bytes, e.g. a file or compressed data)`;
		return { kind: 'poison', error: new PoisonMessageError(reason) };
	}
	try {
		return { kind: 'json', value: JSON.parse(text) as unknown };
	} catch (error) {
		const preview = looseUtf8.decode(delivery.data.subarray(0, 60));
		const reason = `${where} is not valid JSON (${(error as Error).message}); it starts with: ${preview}`;
		return { kind: 'poison', error: new PoisonMessageError(reason) };
	}
}

/** Auto: JSON when it parses, text when it is UTF-8, otherwise binary. Never refuses a message. */
function auto(delivery: Delivery): DecodedPayload {
	let text: string;
	try {
		text = strictUtf8.decode(delivery.data);
	} catch {
		// Not UTF-8: only binary data can carry it.
		return binary(delivery);
	}
	const trimmed = text.trim();
	if (trimmed !== '' && /^[[{"\d-]|^(true|false|null)$/.test(trimmed)) {
		try {
			return { kind: 'json', value: JSON.parse(trimmed) as unknown };
		} catch {
			// Looked like JSON but is not: the text itself is the payload.
		}
	}
	return { kind: 'text', value: text };
}

export function decodePayload(delivery: Delivery, mode: ContentMode): DecodeResult {
	switch (mode) {
		case 'json':
			return strictJson(delivery);
		case 'text':
			return { kind: 'text', value: looseUtf8.decode(delivery.data) };
		case 'binary':
			return binary(delivery);
		default:
			return auto(delivery);
	}
}
