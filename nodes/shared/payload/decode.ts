import { headerValue, type HeaderRecord } from '../transport/headers';

/** How message bytes become the workflow's payload. */
export type ContentMode = 'auto' | 'json' | 'text' | 'binary';

/** What decoding needs of a message: a JetStream message, or a core NATS request (no sequence). */
export interface RawMessage {
	readonly subject: string;
	readonly data: Uint8Array;
	readonly headers: HeaderRecord;
	readonly streamSequence?: number;
}

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

function binary(message: RawMessage): DecodedPayload {
	const mimeType = headerValue(message.headers, 'Content-Type') ?? 'application/octet-stream';
	return { kind: 'binary', value: Buffer.from(message.data), mimeType };
}

function strictJson(message: RawMessage): DecodeResult {
	// An empty message carries no JSON document; it is passed on as null rather than refused.
	if (message.data.length === 0) return { kind: 'json', value: null };
	const where = message.streamSequence === undefined ? `The message on subject "${message.subject}"` : `Message ${message.streamSequence} on subject "${message.subject}"`;
	let text: string;
	try {
		text = strictUtf8.decode(message.data);
	} catch {
		// Bytes that are not text cannot be JSON; say so rather than quote garbage.
		const reason = `${where} is not UTF-8 text, so it cannot be JSON (${message.data.length} bytes, e.g. a file or compressed data)`;
		return { kind: 'poison', error: new PoisonMessageError(reason) };
	}
	try {
		return { kind: 'json', value: JSON.parse(text) as unknown };
	} catch (error) {
		// The parser's own message quotes the text: only where it stopped is said, no payload bytes.
		const position = /at position (\d+)/.exec((error as Error).message)?.[1];
		const at = position === undefined ? '' : `, first error at character ${position}`;
		const reason = `${where} is not valid JSON (${message.data.length} bytes${at})`;
		return { kind: 'poison', error: new PoisonMessageError(reason) };
	}
}

/** Auto: JSON when it parses, text when it is UTF-8, otherwise binary. Never refuses a message. */
function auto(message: RawMessage): DecodedPayload {
	let text: string;
	try {
		text = strictUtf8.decode(message.data);
	} catch {
		// Not UTF-8: only binary data can carry it.
		return binary(message);
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

export function decodePayload(message: RawMessage, mode: ContentMode): DecodeResult {
	switch (mode) {
		case 'json':
			return strictJson(message);
		case 'text':
			return { kind: 'text', value: looseUtf8.decode(message.data) };
		case 'binary':
			return binary(message);
		default:
			return auto(message);
	}
}
