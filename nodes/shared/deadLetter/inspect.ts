import type { NatsClient } from '../transport/client';
import type { HeaderRecord } from '../transport/headers';
import { scanStream } from '../transport/scan';
import { readStoredMessage, type StoredMessage } from '../transport/streamIo';
import { subjectContains } from '../validation';
import { originalHeaders, readEnvelope, type DeadLetterEnvelope } from './envelope';
import { onDeadLetterStream } from './missing';

/**
 * Reading the dead-letter queue without consuming it: one message by sequence, or a filtered scan.
 * Filters on the envelope (reason, original subject…) are applied here; the subject filter and the
 * start time go to the server.
 */

export interface DeadLetterFilter {
	/** Only these reasons (max-deliveries, parse-error, decrypt-failed, schema-invalid, rejected). */
	reasons?: readonly string[];
	/** Original subject, NATS wildcards allowed (orders.*, orders.>). */
	originalSubject?: string;
	originalStream?: string;
	originalConsumer?: string;
	/** Dead-lettered at or after this time. */
	from?: Date;
	/** Dead-lettered before this time. */
	to?: Date;
	/** Subject filter inside the dead-letter stream (e.g. dlq.ORDERS.>), applied by the server. */
	dlqSubject?: string;
}

/** A dead-lettered message: where it sits in the DLQ, its envelope, the original headers and payload. */
export interface DeadLetterRecord extends DeadLetterEnvelope {
	dlqStream: string;
	dlqSequence: number;
	dlqSubject: string;
	/** When the DLQ stored it. */
	storedAt: string;
	/** The original message's headers (envelope removed). */
	headers: HeaderRecord;
	data: Uint8Array;
}

export function toRecord(stored: StoredMessage): DeadLetterRecord {
	return {
		dlqStream: stored.stream,
		dlqSequence: stored.sequence,
		dlqSubject: stored.subject,
		storedAt: stored.time,
		...readEnvelope(stored.headers),
		headers: originalHeaders(stored.headers),
		data: stored.data,
	};
}

export function matchesFilter(record: DeadLetterRecord, filter: DeadLetterFilter): boolean {
	if (filter.reasons && filter.reasons.length > 0 && !filter.reasons.includes(record.reason)) return false;
	if (filter.originalSubject && !subjectContains(filter.originalSubject, record.originalSubject)) return false;
	if (filter.originalStream && filter.originalStream !== record.originalStream) return false;
	if (filter.originalConsumer && filter.originalConsumer !== record.originalConsumer) return false;
	const stored = Date.parse(record.storedAt);
	if (filter.from && stored < filter.from.getTime()) return false;
	if (filter.to && stored >= filter.to.getTime()) return false;
	return true;
}

export interface ScanRange {
	fromSequence?: number;
	/** Inclusive. */
	toSequence?: number;
}

/** Dead letters matching the filter, oldest first, up to `limit` (0 = no limit). */
export async function* scanDeadLetters(
	client: NatsClient,
	dlqStream: string,
	filter: DeadLetterFilter = {},
	range: ScanRange = {},
): AsyncGenerator<DeadLetterRecord> {
	const scan = scanStream(client, dlqStream, {
		filterSubject: filter.dlqSubject,
		startSequence: range.fromSequence,
		startTime: range.fromSequence === undefined ? filter.from : undefined,
	});
	for await (const stored of scan) {
		if (range.toSequence !== undefined && stored.sequence > range.toSequence) return;
		if (filter.to && Date.parse(stored.time) >= filter.to.getTime()) return;
		const record = toRecord(stored);
		if (matchesFilter(record, filter)) yield record;
	}
}

export async function listDeadLetters(
	client: NatsClient,
	dlqStream: string,
	filter: DeadLetterFilter = {},
	limit = 100,
	range: ScanRange = {},
): Promise<DeadLetterRecord[]> {
	const out: DeadLetterRecord[] = [];
	if (limit < 0) return out;
	return await onDeadLetterStream(dlqStream, async () => {
		for await (const record of scanDeadLetters(client, dlqStream, filter, range)) {
			out.push(record);
			if (limit > 0 && out.length >= limit) break;
		}
		return out;
	});
}

/** One dead letter by its sequence in the DLQ stream; null when there is none (redriven, purged). */
export async function peekDeadLetter(client: NatsClient, dlqStream: string, sequence: number): Promise<DeadLetterRecord | null> {
	const stored = await onDeadLetterStream(dlqStream, () => readStoredMessage(client, dlqStream, sequence));
	return stored ? toRecord(stored) : null;
}
