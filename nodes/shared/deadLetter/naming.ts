/**
 * Names and ids of the dead-letter queue. Ids are deterministic so that a repeated attempt
 * (a crash between publishing and terminating, a redrive run twice) is deduplicated by JetStream's
 * Nats-Msg-Id window instead of storing a second copy.
 */

import type { NatsCredentials } from '../transport/credentials';
import { prefixedName, prefixedSubject } from '../transport/subjectPrefix';

export const DEFAULT_DLQ_SUBJECT_PREFIX = 'dlq';
export const DEFAULT_DLQ_STREAM = 'DLQ';
/** Dead letters are kept for 30 days unless configured otherwise. */
export const DEFAULT_DLQ_MAX_AGE_MS = 30 * 24 * 3_600_000;
export const DEFAULT_DLQ_MAX_MESSAGES = 1_000_000;
/** JetStream's own default duplicate window. */
export const DEFAULT_DLQ_DUPLICATE_WINDOW_MS = 2 * 60_000;

/**
 * The default dead-letter subject root of a credential: `dlq`, or under a Subject Prefix
 * `tenant-a.dlq`, so a prefixed credential dead-letters with default settings.
 */
export function deadLetterRoot(credentials: NatsCredentials): string {
	return prefixedSubject(credentials.subjectPrefix, DEFAULT_DLQ_SUBJECT_PREFIX);
}

/** The dead-letter stream a name means: the default `DLQ` is `tenant-a_DLQ` under a Subject Prefix. */
export function deadLetterStreamName(credentials: NatsCredentials, name = DEFAULT_DLQ_STREAM): string {
	return name === DEFAULT_DLQ_STREAM ? prefixedName(credentials.subjectPrefix, name) : name;
}

/** `dlq.<stream>.<consumer>`: one subject per source, so a filter picks one consumer's failures. */
export function deadLetterSubject(stream: string, consumer: string, prefix = DEFAULT_DLQ_SUBJECT_PREFIX): string {
	return `${prefix}.${stream}.${consumer}`;
}

/** The subjects a dead-letter stream captures for a prefix: `dlq.>`. */
export function deadLetterStreamSubject(prefix = DEFAULT_DLQ_SUBJECT_PREFIX): string {
	return `${prefix}.>`;
}

/**
 * Nats-Msg-Id of a dead-letter copy. The stream name is length-prefixed so that stream "a-b" with
 * consumer "c" and stream "a" with consumer "b-c" never share an id; the consumer is part of it
 * because two consumers of one stream may each dead-letter the same message.
 */
export function deadLetterMsgId(stream: string, consumer: string, streamSequence: number): string {
	return `dlq-${stream.length}-${stream}-${consumer}-${streamSequence}`;
}

/** Nats-Msg-Id of a redriven message, derived from where it sits in the dead-letter stream. */
export function redriveMsgId(dlqStream: string, dlqSequence: number): string {
	return `redrive-${dlqStream}-${dlqSequence}`;
}
