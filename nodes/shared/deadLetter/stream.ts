import { JetStreamNodeError } from '../errors';
import type { NatsClient } from '../transport/client';
import { ensureFileStream, streamForSubject, type StreamSummary } from '../transport/deadLetterIo';
import {
	DEFAULT_DLQ_DUPLICATE_WINDOW_MS,
	DEFAULT_DLQ_MAX_AGE_MS,
	DEFAULT_DLQ_MAX_MESSAGES,
	DEFAULT_DLQ_STREAM,
	deadLetterStreamSubject,
} from './naming';

/**
 * The dead-letter stream. Either the library creates it (only when asked: `ensureDeadLetterStream`)
 * or an admin provides one; `findDeadLetterStream` only reads, so a user without create rights can
 * still dead-letter into a stream someone else made.
 */

export interface DeadLetterStreamOptions {
	/** Default "DLQ". */
	name?: string;
	/** Default ["dlq.>"]. */
	subjects?: string[];
	/** How long dead letters are kept, ms; 0 = for ever. Default 30 days. */
	maxAgeMs?: number;
	/** At most this many dead letters (oldest dropped); -1 = unlimited. Default 1,000,000. */
	maxMessages?: number;
	/** Window in which a repeated dead-letter publish is recognised. Default 2 minutes. */
	duplicateWindowMs?: number;
}

/** Creates the dead-letter stream (file storage), or updates its limits if it exists. */
export async function ensureDeadLetterStream(
	client: NatsClient,
	options: DeadLetterStreamOptions = {},
): Promise<{ created: boolean; stream: StreamSummary }> {
	return await ensureFileStream(client, {
		name: options.name ?? DEFAULT_DLQ_STREAM,
		subjects: options.subjects ?? [deadLetterStreamSubject()],
		maxAgeMs: options.maxAgeMs ?? DEFAULT_DLQ_MAX_AGE_MS,
		maxMessages: options.maxMessages ?? DEFAULT_DLQ_MAX_MESSAGES,
		duplicateWindowMs: options.duplicateWindowMs ?? DEFAULT_DLQ_DUPLICATE_WINDOW_MS,
	});
}

/** The stream that stores dead letters sent to `subject`; undefined when none captures it. */
export async function findDeadLetterStream(client: NatsClient, subject: string): Promise<string | undefined> {
	return await streamForSubject(client, subject);
}

/**
 * For activation: fails with a message a user can act on when no stream captures the dead-letter
 * subject (every dead-letter would otherwise fail and the messages would keep coming back).
 */
export async function requireDeadLetterStream(client: NatsClient, subject: string): Promise<string> {
	const stream = await findDeadLetterStream(client, subject);
	if (!stream) {
		throw new JetStreamNodeError('not-found', `No stream captures the dead-letter subject "${subject}"`, {
			hint: 'Create a dead-letter stream (JetStream node → Dead Letter → Create Stream, subjects "dlq.>"), or turn on "Create Dead-Letter Stream"',
		});
	}
	return stream;
}
