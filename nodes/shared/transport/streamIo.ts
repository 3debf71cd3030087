import { StorageType, type PurgeOpts, type StoredMsg, type StreamConfig } from '@nats-io/jetstream';

import { isStreamNotFound, toNodeError } from '../errorMapping';
import { msToNanos, nanosToMs } from '../units';
import type { NatsClient } from './client';
import { headerRecord, type HeaderRecord } from './headers';
import { publishStored } from './publish';

/**
 * Stream I/O beside consuming: publish with headers and a message id, read stored messages by
 * sequence, delete and purge them, describe and create streams. Messages come out as plain
 * `StoredMessage` objects, so the dead-letter library and the action node never touch the client
 * library. (Reading a stream in order without consuming it is `scan.ts`.)
 */

/** A message as stored in a stream, read without consuming it. */
export interface StoredMessage {
	stream: string;
	sequence: number;
	subject: string;
	data: Uint8Array;
	headers: HeaderRecord;
	/** When the stream stored it, ISO 8601. */
	time: string;
}

export interface PublishReceipt {
	stream: string;
	sequence: number;
	/** True when the stream had already stored a message with this Nats-Msg-Id (nothing new written). */
	duplicate: boolean;
}

/**
 * Publishes with headers and a Nats-Msg-Id, waiting for JetStream's acknowledgement. Errors come
 * back as JetStreamNodeError naming the subject ("No stream captures subject …").
 */
export async function publishWithHeaders(
	client: NatsClient,
	subject: string,
	data: Uint8Array,
	headers: HeaderRecord,
	msgId: string,
	timeoutMs = 5_000,
): Promise<PublishReceipt> {
	try {
		return await publishStored(client, { subject, data, headers, msgId, timeoutMs });
	} catch (error) {
		throw toNodeError(error, { subject, timeoutMs });
	}
}

function fromStored(stream: string, msg: StoredMsg): StoredMessage {
	return {
		stream,
		sequence: msg.seq,
		subject: msg.subject,
		data: msg.data,
		headers: headerRecord(msg.header),
		time: msg.time.toISOString(),
	};
}

/** One stored message by sequence, or null when there is none (never stored, deleted or purged). */
export async function readStoredMessage(client: NatsClient, stream: string, sequence: number): Promise<StoredMessage | null> {
	try {
		const jsm = await client.jsm();
		const msg = await jsm.streams.getMessage(stream, { seq: sequence });
		return msg ? fromStored(stream, msg) : null;
	} catch (error) {
		throw toNodeError(error, { stream });
	}
}

/** Deletes one message; false when it was already gone. */
export async function deleteStoredMessage(client: NatsClient, stream: string, sequence: number): Promise<boolean> {
	const jsm = await client.jsm();
	try {
		return await jsm.streams.deleteMessage(stream, sequence, false);
	} catch (error) {
		// 10037 "no message found": someone else deleted it first; the outcome the caller wanted.
		if ((error as { code?: number }).code === 10037 || /no message found/i.test(String((error as Error).message))) {
			return false;
		}
		throw toNodeError(error, { stream });
	}
}

export interface PurgeRequest {
	/** Only messages on subjects matching this filter. */
	filterSubject?: string;
	/** Only messages with a sequence lower than this one. */
	beforeSequence?: number;
}

/** Purges a stream (or part of it); returns how many messages were removed. */
export async function purgeStoredMessages(client: NatsClient, stream: string, request: PurgeRequest = {}): Promise<number> {
	const jsm = await client.jsm();
	let opts: PurgeOpts | undefined;
	if (request.beforeSequence !== undefined) {
		opts = request.filterSubject ? { filter: request.filterSubject, seq: request.beforeSequence } : { seq: request.beforeSequence };
	} else if (request.filterSubject) {
		opts = { filter: request.filterSubject };
	}
	try {
		const response = await jsm.streams.purge(stream, opts);
		return response.purged;
	} catch (error) {
		throw toNodeError(error, { stream, subject: request.filterSubject });
	}
}

export interface StreamSummary {
	name: string;
	subjects: string[];
	messages: number;
	firstSequence: number;
	lastSequence: number;
	maxAgeMs: number;
	maxMessages: number;
	duplicateWindowMs: number;
	storage: string;
}

function summary(config: StreamConfig, state: { messages: number; first_seq: number; last_seq: number }): StreamSummary {
	return {
		name: config.name,
		subjects: config.subjects ?? [],
		messages: state.messages,
		firstSequence: state.first_seq,
		lastSequence: state.last_seq,
		maxAgeMs: Math.round(nanosToMs(config.max_age)),
		maxMessages: config.max_msgs ?? -1,
		duplicateWindowMs: Math.round(nanosToMs(config.duplicate_window)),
		storage: String(config.storage),
	};
}

/** A stream's subjects and state (read-only: needs no create rights). */
export async function describeStream(client: NatsClient, stream: string): Promise<StreamSummary> {
	const jsm = await client.jsm();
	try {
		const info = await jsm.streams.info(stream);
		return summary(info.config, info.state);
	} catch (error) {
		throw toNodeError(error, { stream });
	}
}

export interface EnsureStreamRequest {
	name: string;
	subjects: string[];
	maxAgeMs: number;
	maxMessages: number;
	duplicateWindowMs: number;
}

/**
 * Creates a file-backed stream, or updates the limits of an existing one with the same name (its
 * subjects are widened to include the requested ones, never narrowed).
 */
export async function ensureFileStream(client: NatsClient, request: EnsureStreamRequest): Promise<{ created: boolean; stream: StreamSummary }> {
	const jsm = await client.jsm();
	const limits = {
		max_age: msToNanos(request.maxAgeMs),
		max_msgs: request.maxMessages,
		// The server refuses a duplicate window longer than the maximum age.
		duplicate_window: msToNanos(request.maxAgeMs > 0 ? Math.min(request.duplicateWindowMs, request.maxAgeMs) : request.duplicateWindowMs),
	};
	try {
		const existing = await jsm.streams.info(request.name).catch((error: unknown) => {
			if (isStreamNotFound(error)) return undefined;
			throw error;
		});
		if (!existing) {
			const info = await jsm.streams.add({ name: request.name, subjects: request.subjects, storage: StorageType.File, num_replicas: client.credentials.replicas, ...limits });
			return { created: true, stream: summary(info.config, info.state) };
		}
		const subjects = [...new Set([...(existing.config.subjects ?? []), ...request.subjects])];
		const info = await jsm.streams.update(request.name, { subjects, ...limits });
		return { created: false, stream: summary(info.config, info.state) };
	} catch (error) {
		throw toNodeError(error, { stream: request.name });
	}
}

/** The stream that captures `subject`, or undefined when none does (read-only). */
export async function streamForSubject(client: NatsClient, subject: string): Promise<string | undefined> {
	const jsm = await client.jsm();
	try {
		return await jsm.streams.find(subject);
	} catch (error) {
		if (/no stream matches subject/i.test(String((error as Error).message))) return undefined;
		throw toNodeError(error, { subject });
	}
}
