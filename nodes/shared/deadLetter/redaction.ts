import { redact } from '../transport/redact';
import { oneLine } from './envelope';

/**
 * Keeping secrets out of the dead-letter queue: fields removed from a JSON payload, and an error
 * text scrubbed before it becomes a header that anyone who can read the DLQ can see.
 */

export const MAX_ERROR_LENGTH = 1024;

const decoder = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export interface RedactedPayload {
	data: Uint8Array;
	/** Paths that existed and were removed; empty when the payload is unchanged byte for byte. */
	removed: string[];
}

function parseJson(data: Uint8Array): unknown {
	try {
		return JSON.parse(decoder.decode(data));
	} catch {
		// Not UTF-8 JSON: field redaction only applies to JSON payloads, the bytes stay as they are.
		return undefined;
	}
}

/** Removes `path` ("a.b.c") from `value`; arrays on the way apply the rest of the path to each element. */
function removePath(value: unknown, parts: string[]): boolean {
	if (Array.isArray(value)) {
		return value.map((element) => removePath(element, parts)).some(Boolean);
	}
	if (!value || typeof value !== 'object') return false;
	const record = value as Record<string, unknown>;
	const [head, ...rest] = parts;
	if (!(head in record)) return false;
	if (rest.length === 0) {
		delete record[head];
		return true;
	}
	return removePath(record[head], rest);
}

/**
 * Removes the listed JSON fields from a payload. A payload that is not JSON, or holds none of the
 * fields, is returned untouched (same bytes), so "byte for byte" holds whenever nothing was removed.
 */
export function redactPayload(data: Uint8Array, fields: readonly string[]): RedactedPayload {
	const paths = fields.map((f) => f.trim()).filter((f) => f !== '');
	if (paths.length === 0 || data.length === 0) return { data, removed: [] };
	const parsed = parseJson(data);
	if (parsed === undefined || parsed === null || typeof parsed !== 'object') return { data, removed: [] };
	const removed = paths.filter((path) => removePath(parsed, path.split('.')));
	if (removed.length === 0) return { data, removed };
	return { data: encoder.encode(JSON.stringify(parsed)), removed };
}

/** Things that look like credentials in free text: key=value secrets, bearer tokens, JWTs, NKey seeds. */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
	[/\b(password|passwd|pwd|secret|token|api[_-]?key|authorization)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1$2***'],
	[/\bBearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer ***'],
	[/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '***'],
	[/\bS[UOAC][A-Z2-7]{50,}\b/g, '***'],
	[/(\/\/)[^/@\s:]+:[^/@\s]+@/g, '$1***@'],
];

/** The default redaction hook: masks secret-looking parts of an error text. */
export function maskSecrets(text: string): string {
	return SECRET_PATTERNS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

export type RedactHook = (text: string) => string;

/**
 * The error text as stored in the envelope: known secret values replaced, secret-looking parts
 * masked (or the caller's hook), one line, at most `MAX_ERROR_LENGTH` characters.
 */
export function safeErrorText(error: unknown, secrets: readonly string[] = [], hook: RedactHook = maskSecrets): string {
	const raw = error instanceof Error ? error.message : String(error ?? '');
	return oneLine(hook(redact(raw, secrets)), MAX_ERROR_LENGTH);
}
