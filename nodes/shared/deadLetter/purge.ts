import type { NatsClient } from '../transport/client';
import { scanStream } from '../transport/scan';
import { deleteStoredMessage, describeStream, purgeStoredMessages } from '../transport/streamIo';
import { scanDeadLetters, type DeadLetterFilter } from './inspect';
import { onDeadLetterStream } from './missing';

/**
 * Removing dead letters for good. Whole-stream, per-subject and "older than" purges are done by the
 * server in one request; filters on the envelope (reason, original subject…) need each matching
 * message to be read and deleted.
 */

export interface PurgeSelection {
	/** Only dead letters matching this; empty = all. */
	filter?: DeadLetterFilter;
	/** Only dead letters stored before this time. */
	olderThan?: Date;
}

export interface PurgeReport {
	purged: number;
}

/** Envelope filters and a lower time bound need reading each message; "older than" alone does not. */
function needsScan(filter: DeadLetterFilter): boolean {
	return Boolean(
		(filter.reasons && filter.reasons.length > 0) ||
			filter.originalSubject ||
			filter.originalStream ||
			filter.originalConsumer ||
			filter.from,
	);
}

/** The first sequence stored at or after `time` (within `subject`), or one past the end when none is. */
async function firstSequenceFrom(client: NatsClient, dlqStream: string, time: Date, subject?: string): Promise<number> {
	for await (const stored of scanStream(client, dlqStream, { startTime: time, filterSubject: subject })) {
		return stored.sequence;
	}
	return (await describeStream(client, dlqStream)).lastSequence + 1;
}

async function deleteMatching(client: NatsClient, dlqStream: string, filter: DeadLetterFilter): Promise<number> {
	let purged = 0;
	for await (const record of scanDeadLetters(client, dlqStream, filter)) {
		if (await deleteStoredMessage(client, dlqStream, record.dlqSequence)) purged++;
	}
	return purged;
}

export async function purgeDeadLetters(client: NatsClient, dlqStream: string, selection: PurgeSelection = {}): Promise<PurgeReport> {
	return await onDeadLetterStream(dlqStream, () => purge(client, dlqStream, selection));
}

async function purge(client: NatsClient, dlqStream: string, selection: PurgeSelection): Promise<PurgeReport> {
	const filter: DeadLetterFilter = { ...(selection.filter ?? {}) };
	if (selection.olderThan && (!filter.to || selection.olderThan < filter.to)) filter.to = selection.olderThan;
	if (needsScan(filter)) {
		return { purged: await deleteMatching(client, dlqStream, filter) };
	}
	if (filter.to) {
		const beforeSequence = await firstSequenceFrom(client, dlqStream, filter.to, filter.dlqSubject);
		return { purged: await purgeStoredMessages(client, dlqStream, { filterSubject: filter.dlqSubject, beforeSequence }) };
	}
	return { purged: await purgeStoredMessages(client, dlqStream, { filterSubject: filter.dlqSubject }) };
}
