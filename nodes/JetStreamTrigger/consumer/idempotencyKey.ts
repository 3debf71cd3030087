import { identityHeader } from '../../shared/deadLetter';
import { InvalidParameterError } from '../../shared/errors';
import type { DecodedMessage } from './hooks';

/**
 * Where a message's idempotency key comes from: a header, or the payload. A payload key is a dot path
 * (`order.id`) or a template of `{{ $json.path }}`, `{{ $headers.Name }}` and `{{ $subject }}` parts
 * (`{{ $json.tenant }}:{{ $json.orderId }}`). It is read per message without n8n's expression engine,
 * which a trigger cannot run against a message that has not become an item yet. Nats-Msg-Id, however it
 * is named, is the producer's id also for a redriven message (whose own id is the redrive's).
 */

export type KeyOf = (message: DecodedMessage) => string | undefined;

export type IdempotencySource = 'messageId' | 'header' | 'payloadField';

/** Where the key is read: the part of the idempotency settings the reader needs. */
export interface KeySource {
	source: IdempotencySource;
	/** For source "header" (and "messageId": Nats-Msg-Id). */
	header: string;
	/** For source "payloadField": a dot path or a template like `{{ $json.orderId }}`. */
	field: string;
}

const PART = /\{\{\s*(.+?)\s*\}\}/g;

function pathParts(path: string, field: string): string[] {
	const parts = path
		.replace(/\[\s*["']([^"']+)["']\s*\]/g, '.$1')
		.replace(/\[(\d+)\]/g, '.$1')
		.split('.')
		.filter((p) => p !== '');
	if (parts.length === 0) throw new InvalidParameterError(field, `"${path}" is not a field path`, 'Write a path like orderId or order.id');
	return parts;
}

function pick(value: unknown, parts: string[]): unknown {
	return parts.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

function asKey(value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

type Part = (message: DecodedMessage) => string | undefined;

function templatePart(expression: string, field: string): Part {
	if (expression === '$subject') return (m) => m.delivery.subject;
	const header = /^\$headers(?:\.|\[\s*["'])([^"'\]]+)/.exec(expression);
	if (header) return (m) => identityHeader(m.delivery.headers, header[1]);
	const json = /^\$json(.*)$/.exec(expression);
	if (json) {
		const parts = pathParts(json[1], field);
		return (m) => (m.payload.kind === 'json' ? asKey(pick(m.payload.value, parts)) : undefined);
	}
	throw new InvalidParameterError(
		field,
		`"{{ ${expression} }}" cannot be read from a message`,
		'Use {{ $json.field }}, {{ $headers.Header-Name }} or {{ $subject }}',
	);
}

/** Builds the key reader once; a template that can never work is refused at activation. */
export function keyReader(settings: KeySource): KeyOf {
	if (settings.source !== 'payloadField') return (m) => identityHeader(m.delivery.headers, settings.header);
	const field = 'Key Field';
	const template = settings.field;
	if (!template.includes('{{')) {
		const parts = pathParts(template, field);
		return (m) => (m.payload.kind === 'json' ? asKey(pick(m.payload.value, parts)) : undefined);
	}
	const literals = template.split(PART).filter((_, i) => i % 2 === 0);
	const parts = [...template.matchAll(PART)].map((match) => templatePart(match[1], field));
	return (m) => {
		let key = literals[0];
		for (let i = 0; i < parts.length; i++) {
			const value = parts[i](m);
			if (value === undefined) return undefined;
			key += value + literals[i + 1];
		}
		return key;
	};
}
