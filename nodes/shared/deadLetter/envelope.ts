import { decodeHeaderValue } from '../audit/sender';
import { headerValue, type HeaderRecord } from '../transport/headers';
import { isOriginHeader } from './origin';

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
	/** Set by a caller that knows its execution; a trigger is never told the id n8n gives an execution. */
	ExecutionId: 'X-Dlq-Execution-Id',
	/** The workflow and the start of the failed execution: together they find it in n8n's executions list. */
	WorkflowId: 'X-Dlq-Workflow-Id',
	/** The workflow's name when it gave up, percent-encoded like the X-N8n-* sender headers. */
	WorkflowName: 'X-Dlq-Workflow-Name',
	ExecutionStarted: 'X-Dlq-Execution-Started',
	Time: 'X-Dlq-Time',
	/** When the message was first stored (before any redrive), ISO 8601. */
	OriginalTime: 'X-Dlq-Original-Time',
	/** The producer's Nats-Msg-Id (the copy carries its own, so a repeated dead-letter is deduplicated). */
	OriginalMsgId: 'X-Dlq-Original-Msg-Id',
	/** How many times the message had been redriven before it was dead-lettered this time. */
	Redrives: 'X-Dlq-Redrives',
	/** JSON fields removed from the payload copy, comma-separated. */
	RedactedFields: 'X-Dlq-Redacted-Fields',
	/** Headers of the original that instruct the server, left off the copy (see `instructsServer`). */
	DroppedHeaders: 'X-Dlq-Dropped-Headers',
} as const;

export const DEAD_LETTER_REASONS = ['max-deliveries', 'parse-error', 'decrypt-failed', 'schema-invalid', 'rejected'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/**
 * Headers that instruct the server, or that the server itself set: `Nats-` is its prefix. Copied onto
 * a dead letter or a redrive, such a header misfires (an expected-stream check fails against the
 * dead-letter stream, a rollup purges it, a schedule or a counter is created on it) or is refused
 * (nats-server 2.15 refuses a publish carrying Nats-Stream-Source, which every message of a stream
 * that sources or mirrors another has: error 10227). So every `Nats-` header stays behind — future
 * ones too — except this package's own Nats-Schema, which only names the payload's schema version.
 * Nats-Msg-Id is replaced by a deterministic id of our own (the original goes into the envelope).
 */
const KEPT_NATS_HEADERS = new Set(['nats-schema']);

export function instructsServer(name: string): boolean {
	const lower = name.toLowerCase();
	return lower.startsWith('nats-') && !KEPT_NATS_HEADERS.has(lower);
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
	workflowId: string;
	workflowName: string;
	executionStartedAt: string;
	deadLetteredAt: string;
	originalTime: string;
	originalMsgId: string;
	redrives: number;
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
		workflowId: get(DlqHeaders.WorkflowId),
		workflowName: decodeHeaderValue(get(DlqHeaders.WorkflowName)),
		executionStartedAt: get(DlqHeaders.ExecutionStarted),
		deadLetteredAt: get(DlqHeaders.Time),
		originalTime: get(DlqHeaders.OriginalTime),
		originalMsgId: get(DlqHeaders.OriginalMsgId),
		redrives: numberOrNull(headerValue(headers, DlqHeaders.Redrives)) ?? 0,
		redactedFields: list(headerValue(headers, DlqHeaders.RedactedFields)),
		droppedHeaders: list(headerValue(headers, DlqHeaders.DroppedHeaders)),
	};
}

/**
 * The headers a dead letter gives back for a redrive: the original ones, without the envelope, without
 * any header that instructs the server (a dead-letter stream that sources another adds one) and without
 * origin headers (a redrive writes them anew from the envelope).
 */
export function originalHeaders(headers: HeaderRecord): HeaderRecord {
	const out: HeaderRecord = {};
	for (const [key, value] of Object.entries(headers)) {
		if (!isDlqHeader(key) && !instructsServer(key) && !isOriginHeader(key)) out[key] = value;
	}
	return out;
}
