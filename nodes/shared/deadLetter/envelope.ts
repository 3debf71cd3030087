import { headerValue, type HeaderRecord } from '../transport/headers';

export { headerValue };

/**
 * The dead-letter envelope: headers added to the copy of a failed message. They start with
 * `X-Dlq-` (not `Nats-`, which the server reserves for its own headers), so a redrive can strip
 * exactly these and give the original headers back.
 */

export const DLQ_HEADER_PREFIX = 'X-Dlq-';

export const DlqHeaders = {
	Stream: 'X-Dlq-Stream',
	Subject: 'X-Dlq-Subject',
	Sequence: 'X-Dlq-Sequence',
	Consumer: 'X-Dlq-Consumer',
	Deliveries: 'X-Dlq-Deliveries',
	Reason: 'X-Dlq-Reason',
	Error: 'X-Dlq-Error',
	FailedNode: 'X-Dlq-Failed-Node',
	ExecutionId: 'X-Dlq-Execution-Id',
	Time: 'X-Dlq-Time',
	OriginalTime: 'X-Dlq-Original-Time',
	/** The original Nats-Msg-Id (the copy carries its own, so a repeated dead-letter is deduplicated). */
	OriginalMsgId: 'X-Dlq-Original-Msg-Id',
	/** JSON fields removed from the payload copy, comma-separated. */
	RedactedFields: 'X-Dlq-Redacted-Fields',
	/** Publisher control headers set on the original that the copy must not carry (see CONTROL_HEADERS). */
	DroppedHeaders: 'X-Dlq-Dropped-Headers',
} as const;

export const DEAD_LETTER_REASONS = ['max-deliveries', 'parse-error', 'schema-invalid', 'rejected'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/**
 * Headers that tell JetStream what to do with a publish. Copied onto a dead-letter (or redriven)
 * message they would misfire: an expected-stream check fails against the DLQ stream, a rollup
 * would purge the DLQ. Nats-Msg-Id is replaced by our own deterministic id.
 */
const CONTROL_HEADERS = [/^nats-expected-/i, /^nats-rollup$/i, /^nats-ttl$/i, /^nats-msg-id$/i];

export function isControlHeader(name: string): boolean {
	return CONTROL_HEADERS.some((pattern) => pattern.test(name));
}

export function isDlqHeader(name: string): boolean {
	return name.toLowerCase().startsWith(DLQ_HEADER_PREFIX.toLowerCase());
}

/** Header values must be one line; a newline would break the header block. */
export function oneLine(text: string, maxLength: number): string {
	const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
	return flat.length > maxLength ? `${flat.slice(0, Math.max(0, maxLength - 1))}…` : flat;
}

/** What a dead-lettered message says about itself, decoded from its envelope headers. */
export interface DeadLetterEnvelope {
	reason: string;
	error: string;
	originalStream: string;
	originalSubject: string;
	originalSequence: number | null;
	originalConsumer: string;
	deliveryCount: number | null;
	failedNode: string;
	executionId: string;
	deadLetteredAt: string;
	originalTime: string;
	originalMsgId: string;
	redactedFields: string[];
	droppedHeaders: string[];
}

function numberOrNull(value: string | undefined): number | null {
	if (value === undefined || value === '') return null;
	const n = Number(value);
	return Number.isFinite(n) ? n : null;
}

function list(value: string | undefined): string[] {
	return (value ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

export function readEnvelope(headers: HeaderRecord): DeadLetterEnvelope {
	const get = (name: string) => headerValue(headers, name) ?? '';
	return {
		reason: get(DlqHeaders.Reason),
		error: get(DlqHeaders.Error),
		originalStream: get(DlqHeaders.Stream),
		originalSubject: get(DlqHeaders.Subject),
		originalSequence: numberOrNull(headerValue(headers, DlqHeaders.Sequence)),
		originalConsumer: get(DlqHeaders.Consumer),
		deliveryCount: numberOrNull(headerValue(headers, DlqHeaders.Deliveries)),
		failedNode: get(DlqHeaders.FailedNode),
		executionId: get(DlqHeaders.ExecutionId),
		deadLetteredAt: get(DlqHeaders.Time),
		originalTime: get(DlqHeaders.OriginalTime),
		originalMsgId: get(DlqHeaders.OriginalMsgId),
		redactedFields: list(headerValue(headers, DlqHeaders.RedactedFields)),
		droppedHeaders: list(headerValue(headers, DlqHeaders.DroppedHeaders)),
	};
}

/** The headers the original message carried: everything except the envelope. */
export function originalHeaders(headers: HeaderRecord): HeaderRecord {
	const out: HeaderRecord = {};
	for (const [key, value] of Object.entries(headers)) {
		if (!isDlqHeader(key) && !/^nats-msg-id$/i.test(key)) out[key] = value;
	}
	return out;
}
