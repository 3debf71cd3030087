import { PermissionError } from '../errors';
import { toNodeError } from '../errorMapping';
import type { NatsClient } from '../transport/client';
import { deleteStoredMessage, publishWithHeaders } from '../transport/streamIo';
import { peekDeadLetter, scanDeadLetters, type DeadLetterFilter, type DeadLetterRecord } from './inspect';
import { onDeadLetterStream } from './missing';
import { redriveMsgId } from './naming';
import { redriveOriginHeaders } from './origin';

/**
 * Redrive: publish dead letters again to their original subject (or another one), then delete them
 * from the DLQ once JetStream acknowledged the republish. The republish carries a Nats-Msg-Id
 * derived from the DLQ position, so a redrive interrupted between publish and delete and run again
 * is deduplicated by the target stream instead of delivering the message twice. The producer's id,
 * first subject and time travel in origin headers (see origin.ts): the trigger keys a redriven message
 * by the producer's id, and a second dead letter keeps the first one's history.
 */

export interface RedriveSelection {
	/** Exactly these DLQ sequences. When set, the range and filter below are ignored. */
	sequences?: readonly number[];
	fromSequence?: number;
	/** Inclusive. */
	toSequence?: number;
	filter?: DeadLetterFilter;
	/** At most this many messages (0 = no limit). */
	limit?: number;
}

export interface RedriveOptions {
	/** Publish here instead of each message's original subject. */
	targetSubject?: string;
	/** How long to wait for each publish acknowledgement. Default 5 s. */
	timeoutMs?: number;
}

export interface RedriveOutcome {
	dlqSequence: number;
	status: 'redriven' | 'duplicate' | 'not-found' | 'skipped' | 'failed';
	/** Where it was republished. */
	subject?: string;
	stream?: string;
	sequence?: number;
	/** Why it was skipped or failed. */
	message?: string;
	/** False when the republish succeeded but deleting the dead letter failed (it stays in the DLQ). */
	removedFromDlq?: boolean;
}

export interface RedriveReport {
	/** Newly published. */
	redriven: number;
	/** Republish was a duplicate of an earlier redrive of the same dead letter: nothing new published. */
	duplicates: number;
	failed: number;
	skipped: number;
	outcomes: RedriveOutcome[];
}

/** Republishes one dead letter; exported so a caller with a record in hand need not read it again. */
export async function redriveRecord(client: NatsClient, record: DeadLetterRecord, options: RedriveOptions = {}): Promise<RedriveOutcome> {
	const subject = options.targetSubject ?? record.originalSubject;
	if (!subject) {
		return {
			dlqSequence: record.dlqSequence,
			status: 'skipped',
			message: 'The dead letter has no original subject header (X-Dlq-Subject); give a target subject to redrive it',
		};
	}
	const origin = redriveOriginHeaders({
		msgId: record.originalMsgId || undefined,
		subject: record.originalSubject || subject,
		time: record.originalTime || undefined,
		redrives: record.redrives,
	});
	let receipt;
	try {
		receipt = await publishWithHeaders(
			client,
			subject,
			record.data,
			{ ...record.headers, ...origin },
			redriveMsgId(record.dlqStream, record.dlqSequence),
			options.timeoutMs,
		);
	} catch (error) {
		const mapped = toNodeError(error, { subject });
		// A refused subject fails every dead letter alike: the redrive stops and says which right is missing.
		if (mapped instanceof PermissionError) throw mapped;
		return { dlqSequence: record.dlqSequence, status: 'failed', subject, message: mapped.message };
	}
	const outcome: RedriveOutcome = {
		dlqSequence: record.dlqSequence,
		status: receipt.duplicate ? 'duplicate' : 'redriven',
		subject,
		stream: receipt.stream,
		sequence: receipt.sequence,
		removedFromDlq: true,
	};
	try {
		await deleteStoredMessage(client, record.dlqStream, record.dlqSequence);
	} catch (error) {
		// Republished but still in the DLQ: a later redrive is deduplicated, so only report it.
		outcome.removedFromDlq = false;
		outcome.message = `Republished, but could not delete it from the dead-letter stream: ${toNodeError(error, { stream: record.dlqStream }).message}`;
	}
	return outcome;
}

async function* selected(client: NatsClient, dlqStream: string, selection: RedriveSelection): AsyncGenerator<DeadLetterRecord | number> {
	if (selection.sequences && selection.sequences.length > 0) {
		for (const sequence of selection.sequences) {
			yield (await peekDeadLetter(client, dlqStream, sequence)) ?? sequence;
		}
		return;
	}
	yield* scanDeadLetters(client, dlqStream, selection.filter ?? {}, {
		fromSequence: selection.fromSequence,
		toSequence: selection.toSequence,
	});
}

function tally(outcomes: RedriveOutcome[]): RedriveReport {
	const count = (...statuses: RedriveOutcome['status'][]) => outcomes.filter((o) => statuses.includes(o.status)).length;
	return {
		redriven: count('redriven'),
		duplicates: count('duplicate'),
		failed: count('failed'),
		skipped: count('skipped', 'not-found'),
		outcomes,
	};
}

/** Redrives the selected dead letters one after another (each waits for its acknowledgement). */
export async function redriveDeadLetters(
	client: NatsClient,
	dlqStream: string,
	selection: RedriveSelection = {},
	options: RedriveOptions = {},
): Promise<RedriveReport> {
	const outcomes: RedriveOutcome[] = [];
	const limit = selection.limit ?? 0;
	return await onDeadLetterStream(dlqStream, async () => {
		for await (const item of selected(client, dlqStream, selection)) {
			if (typeof item === 'number') {
				outcomes.push({ dlqSequence: item, status: 'not-found', message: `No dead letter with sequence ${item} (already redriven or purged)` });
			} else {
				outcomes.push(await redriveRecord(client, item, options));
			}
			if (limit > 0 && outcomes.length >= limit) break;
		}
		return tally(outcomes);
	});
}
