import { withJetStreamNode } from '../advice';
import { JetStreamNodeError } from '../errors';
import type { NatsClient } from '../transport/client';
import { describeStream, ensureFileStream, streamForSubject, type StreamSummary } from '../transport/streamIo';
import { subjectContains } from '../validation';
import {
	DEFAULT_DLQ_DUPLICATE_WINDOW_MS,
	DEFAULT_DLQ_MAX_AGE_MS,
	DEFAULT_DLQ_MAX_MESSAGES,
	deadLetterRoot,
	deadLetterStreamName,
	deadLetterStreamSubject,
} from './naming';

/**
 * The dead-letter stream. Either the library creates it (only when asked: `ensureDeadLetterStream`)
 * or an admin provides one; `findDeadLetterStream` only reads, so a user without create rights can
 * still dead-letter into a stream someone else made.
 */

export interface DeadLetterStreamOptions {
	/** Default "DLQ" (under a Subject Prefix "tenant-a_DLQ"). */
	name?: string;
	/** Default ["dlq.>"] (under a Subject Prefix ["tenant-a.dlq.>"]). */
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
		name: deadLetterStreamName(client.credentials, options.name),
		subjects: options.subjects ?? [deadLetterStreamSubject(deadLetterRoot(client.credentials))],
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
 * For activation with a named dead-letter stream: reads only that stream (no right to list stream
 * names needed), creates it when missing and allowed, and fails when it does not store `subject`.
 */
export async function checkNamedDeadLetterStream(
	client: NatsClient,
	options: { name: string; subject: string; create: boolean; maxAgeMs: number },
): Promise<{ created: boolean }> {
	const existing = await describeStream(client, options.name).catch((error: unknown) => {
		if (error instanceof JetStreamNodeError && error.category === 'not-found') return undefined;
		throw error;
	});
	if (!existing) {
		if (!options.create) {
			throw new JetStreamNodeError('not-found', `The dead-letter stream "${options.name}" does not exist`, {
				hint: `Turn on "Create Dead-Letter Stream" (Dead-Letter Options) in this trigger, or create it with subject "${options.subject}" with ${withJetStreamNode('Dead Letter → Create Stream')}`,
			});
		}
		await ensureDeadLetterStream(client, { name: options.name, subjects: [options.subject], maxAgeMs: options.maxAgeMs });
		return { created: true };
	}
	if (!existing.subjects.some((pattern) => subjectContains(pattern, options.subject))) {
		throw new JetStreamNodeError('configuration', `The dead-letter stream "${options.name}" does not store the dead-letter subject "${options.subject}" (its subjects: ${existing.subjects.join(', ') || 'none'})`, {
			hint: `Add "${options.subject}" to the stream's subjects, or set "Dead-Letter Subject" to one of them`,
		});
	}
	return { created: false };
}

/**
 * For activation: fails with a message a user can act on when no stream captures the dead-letter
 * subject (every dead-letter would otherwise fail and the messages would keep coming back).
 */
export async function requireDeadLetterStream(client: NatsClient, subject: string): Promise<string> {
	const stream = await findDeadLetterStream(client, subject);
	if (!stream) {
		throw new JetStreamNodeError('not-found', `No stream captures the dead-letter subject "${subject}"`, {
			hint: `Turn on "Create Dead-Letter Stream" (Dead-Letter Options) in this trigger, or create a dead-letter stream storing "dlq.>" with ${withJetStreamNode('Dead Letter → Create Stream')}`,
		});
	}
	return stream;
}
