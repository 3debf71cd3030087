import { AckPolicy, DeliverPolicy, StorageType, type JsMsg, type PurgeOpts, type StoredMsg, type StreamConfig } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';

import { isStreamNotFound, PermissionError, toNodeError } from '../errors';
import type { NatsClient } from './client';
import { publishStored } from './publish';
import { watchRefusals } from './refusals';

/**
 * The NATS calls behind dead-lettering and dead-letter inspection: publish a copy with headers, read
 * stored messages without consuming them, delete and purge. Messages come out as plain
 * `StoredMessage` objects so the dead-letter library never touches the client library.
 */

export type HeaderRecord = Record<string, string | string[]>;

/** Case-insensitive header lookup; the first value when a header was sent several times. */
export function headerValue(headers: HeaderRecord, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

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

const NANOS_PER_MS = 1_000_000;
/** A scan reads this many messages per pull. */
const SCAN_BATCH = 256;
/** How long one pull of a scan may wait; the scan knows how many messages to expect, so this only bounds a stall. */
const SCAN_PULL_EXPIRES_MS = 5_000;
/** A scan consumer the server removes by itself if the process dies mid-scan. */
const SCAN_INACTIVE_MS = 30_000;

export function headerRecord(headers: MsgHdrs | undefined): HeaderRecord {
	const out: HeaderRecord = {};
	if (!headers) return out;
	for (const key of headers.keys()) {
		const values = headers.values(key);
		out[key] = values.length === 1 ? values[0] : values;
	}
	return out;
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

function fromJsMsg(msg: JsMsg): StoredMessage {
	return {
		stream: msg.info.stream,
		sequence: msg.seq,
		subject: msg.subject,
		data: msg.data,
		headers: headerRecord(msg.headers),
		time: new Date(Math.floor(msg.info.timestampNanos / NANOS_PER_MS)).toISOString(),
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

export interface ScanOptions {
	/** Only messages on subjects matching this filter (wildcards allowed). */
	filterSubject?: string;
	/** Start at this stream sequence (inclusive). */
	startSequence?: number;
	/** Start at the first message stored at or after this time. */
	startTime?: Date;
}

function scanStart(options: ScanOptions): { deliver_policy: DeliverPolicy; opt_start_seq?: number; opt_start_time?: string } {
	if (options.startSequence !== undefined && options.startSequence > 1) {
		return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.startSequence };
	}
	if (options.startTime) return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.startTime.toISOString() };
	return { deliver_policy: DeliverPolicy.All };
}

/**
 * Reads a stream in order without consuming anything: a throwaway consumer that acknowledges
 * nothing, so the messages stay where they are. Stop early by breaking out of the loop; the
 * consumer is deleted either way. Messages stored after the scan started are not included.
 */
export async function* scanStream(client: NatsClient, stream: string, options: ScanOptions = {}): AsyncGenerator<StoredMessage> {
	const jsm = await client.jsm();
	let info;
	let lastSequence: number;
	try {
		// Messages stored after this point are not part of the scan (a redrive into the DLQ cannot loop).
		lastSequence = (await jsm.streams.info(stream)).state.last_seq;
		info = await jsm.consumers.add(stream, {
			...scanStart(options),
			filter_subject: options.filterSubject,
			ack_policy: AckPolicy.None,
			inactive_threshold: SCAN_INACTIVE_MS * NANOS_PER_MS,
			mem_storage: true,
		});
	} catch (error) {
		throw toNodeError(error, { stream, subject: options.filterSubject });
	}
	const consumer = client.js.consumers.getConsumerFromInfo(info);
	let remaining = info.num_pending;
	// A refused pull request is a plain publish: without this the scan would only end, seconds later, with "heartbeats missed".
	let refused: PermissionError | undefined;
	let batch: Awaited<ReturnType<typeof consumer.fetch>> | undefined;
	const refusals = watchRefusals(client.nc, (error) => {
		if (!error.subject.includes(`.CONSUMER.MSG.NEXT.${stream}.`)) return;
		refused = error;
		batch?.stop(error);
	});
	try {
		while (remaining > 0) {
			batch = await consumer.fetch({ max_messages: Math.min(SCAN_BATCH, remaining), expires: SCAN_PULL_EXPIRES_MS });
			let received = 0;
			try {
				for await (const msg of batch) {
					received++;
					remaining = msg.info.pending;
					if (msg.seq > lastSequence) return;
					yield fromJsMsg(msg);
				}
			} catch (error) {
				throw refused ?? toNodeError(error, { stream });
			}
			if (refused) throw refused;
			// A pull that brought nothing means the messages vanished meanwhile (purged, aged out).
			if (received === 0) break;
		}
	} finally {
		await refusals.stop();
		await consumer.delete().catch(() => {
			// The consumer is memory-only with an inactivity threshold: the server removes it anyway.
			return false;
		});
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
		maxAgeMs: Math.round((config.max_age ?? 0) / NANOS_PER_MS),
		maxMessages: config.max_msgs ?? -1,
		duplicateWindowMs: Math.round((config.duplicate_window ?? 0) / NANOS_PER_MS),
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
		max_age: request.maxAgeMs * NANOS_PER_MS,
		max_msgs: request.maxMessages,
		// The server refuses a duplicate window longer than the maximum age.
		duplicate_window: (request.maxAgeMs > 0 ? Math.min(request.duplicateWindowMs, request.maxAgeMs) : request.duplicateWindowMs) * NANOS_PER_MS,
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
