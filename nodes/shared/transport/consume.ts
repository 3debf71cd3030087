import {
	AckPolicy,
	DeliverPolicy,
	type Consumer,
	type ConsumerConfig,
	type ConsumerInfo,
	type ConsumerMessages,
	type JsMsg,
} from '@nats-io/jetstream';

import { toNodeError } from '../errors';
import type { NatsClient } from './client';

/**
 * Pulling messages for the JetStream Trigger: binding to (or creating) a durable pull consumer, a
 * throwaway consumer for manual test runs, and `consume()` sessions whose messages come out as
 * transport-neutral `Delivery` objects, so the trigger never touches the client library.
 */

/** One delivered message and the four answers JetStream accepts for it. */
export interface Delivery {
	readonly subject: string;
	readonly data: Uint8Array;
	/** Header name → value; a header sent several times becomes an array. */
	readonly headers: Record<string, string | string[]>;
	readonly stream: string;
	readonly consumer: string;
	readonly streamSequence: number;
	readonly consumerSequence: number;
	/** 1 on the first delivery, 2 on the first redelivery… */
	readonly deliveryCount: number;
	/** When the message was stored, ISO 8601. */
	readonly timestamp: string;
	/** Messages still waiting for this consumer after this one (the lag). */
	readonly pending: number;
	/** The subject an ack is sent to; lets a later node acknowledge on another connection. */
	readonly replySubject: string;
	ack(): void;
	/** Redeliver after `delayMs` (without a delay the server redelivers at once, ignoring the consumer's backoff). */
	nak(delayMs?: number): void;
	/** Never redeliver. Without a reason: server 2.9 ignores `+TERM <reason>`. */
	term(): void;
	/** Still processing: restart the ack-wait timer. */
	working(): void;
}

/** What the trigger needs to know about the consumer it reads from. */
export interface ConsumerFacts {
	stream: string;
	name: string;
	/** Effective ack wait in ms (the server replaces it with the first backoff step when there is one). */
	ackWaitMs: number;
	backoffMs: number[];
	/** -1 = unlimited. */
	maxDeliver: number;
	/** The durable's filter and start settings, copied for a manual test run in bind mode. */
	config: Partial<ConsumerConfig>;
}

export type ConsumerTarget =
	| { kind: 'bind'; stream: string; durable: string }
	| { kind: 'ensure'; stream: string; config: Partial<ConsumerConfig> }
	| { kind: 'ephemeral'; stream: string; config: Partial<ConsumerConfig> };

/** Consumer notifications the trigger reacts to; the rest is only logged. */
export interface ConsumeStatus {
	type: string;
	description: string;
}

export interface ConsumeSession extends AsyncIterable<Delivery> {
	/**
	 * Stop pulling. Messages already delivered still come out of the iterator, which then ends; the
	 * iterator must be read to the end for the session to finish, so this does not wait for it.
	 */
	close(): void;
}

export interface TriggerConsumer {
	readonly facts: ConsumerFacts;
	/** Starts pulling at most `maxMessages` at a time; `onStatus` sees consumer notifications. */
	consume(maxMessages: number, onStatus: (status: ConsumeStatus) => void): Promise<ConsumeSession>;
	/**
	 * After the server reported the consumer missing: 'back' when it exists after all (a restarting
	 * server), 'recreated' when it was gone and the node manages it, 'gone' otherwise.
	 */
	recover(): Promise<'back' | 'recreated' | 'gone'>;
	/** Deletes a throwaway consumer; does nothing for a durable. */
	dispose(): Promise<void>;
}

const NANOS_PER_MS = 1_000_000;
/** A throwaway consumer the server removes by itself if n8n dies before deleting it. */
const EPHEMERAL_INACTIVE_MS = 60_000;
/** How long one pull request stays open; heartbeats every half of it reveal a dead consumer. */
const PULL_EXPIRES_MS = 10_000;

function headerRecord(msg: JsMsg): Record<string, string | string[]> {
	const out: Record<string, string | string[]> = {};
	const headers = msg.headers;
	if (!headers) return out;
	for (const key of headers.keys()) {
		const values = headers.values(key);
		out[key] = values.length === 1 ? values[0] : values;
	}
	return out;
}

/**
 * Acknowledgements of one event-loop turn go out together. The client flushes its socket buffer in a
 * microtask, so acks issued from many separate promise chains were written one by one; collected
 * and sent in one go they share a write. An ack waits at most until the next turn of the loop.
 */
const ackQueue: JsMsg[] = [];
let ackFlushScheduled = false;

export function flushAcks(): void {
	ackFlushScheduled = false;
	for (const msg of ackQueue.splice(0)) msg.ack();
}

function queueAck(msg: JsMsg): void {
	ackQueue.push(msg);
	if (ackFlushScheduled) return;
	ackFlushScheduled = true;
	setImmediate(flushAcks);
}

export function toDelivery(msg: JsMsg): Delivery {
	const info = msg.info;
	return {
		subject: msg.subject,
		data: msg.data,
		headers: headerRecord(msg),
		stream: info.stream,
		consumer: info.consumer,
		streamSequence: info.streamSequence,
		consumerSequence: info.deliverySequence,
		deliveryCount: info.deliveryCount,
		timestamp: msg.timestamp,
		pending: info.pending,
		// `reply` exists on every delivered JetStream message but is not part of the public type.
		replySubject: (msg as unknown as { reply?: string }).reply ?? '',
		ack: () => queueAck(msg),
		nak: (delayMs) => msg.nak(delayMs === undefined ? undefined : Math.max(1, Math.round(delayMs))),
		term: () => msg.term(),
		working: () => msg.working(),
	};
}

function factsOf(info: ConsumerInfo): ConsumerFacts {
	const backoffMs = (info.config.backoff ?? []).map((n) => n / NANOS_PER_MS);
	const ackWaitMs = (info.config.ack_wait ?? 30_000 * NANOS_PER_MS) / NANOS_PER_MS;
	return {
		stream: info.stream_name,
		name: info.name,
		ackWaitMs: backoffMs.length > 0 ? Math.min(ackWaitMs, ...backoffMs) : ackWaitMs,
		backoffMs,
		maxDeliver: info.config.max_deliver ?? -1,
		config: info.config,
	};
}

function isNotFound(error: unknown): boolean {
	const code = (error as { code?: unknown; api_error?: { err_code?: number } })?.api_error?.err_code;
	return code === 10014 || /consumer not found/i.test(String((error as Error)?.message ?? ''));
}

async function bind(client: NatsClient, stream: string, durable: string): Promise<Consumer> {
	// consumers.get only reads the consumer's info: a user without create rights can bind.
	return await client.js.consumers.get(stream, durable);
}

async function ensure(client: NatsClient, stream: string, config: Partial<ConsumerConfig>): Promise<Consumer> {
	const jsm = await client.jsm();
	const name = config.durable_name ?? '';
	try {
		await jsm.consumers.info(stream, name);
		await jsm.consumers.update(stream, name, updatable(config));
	} catch (error) {
		if (!isNotFound(error)) throw error;
		await jsm.consumers.add(stream, config);
	}
	return await client.js.consumers.get(stream, name);
}

/** Deliver policy and start position are fixed when a durable is created; only these may change. */
function updatable(config: Partial<ConsumerConfig>): Partial<ConsumerConfig> {
	return {
		description: config.description,
		ack_wait: config.ack_wait,
		max_deliver: config.max_deliver,
		backoff: config.backoff ?? [],
		max_ack_pending: config.max_ack_pending,
		filter_subject: config.filter_subject,
		filter_subjects: config.filter_subjects,
	};
}

async function ephemeral(client: NatsClient, stream: string, config: Partial<ConsumerConfig>): Promise<Consumer> {
	const jsm = await client.jsm();
	const info = await jsm.consumers.add(stream, {
		filter_subject: config.filter_subject,
		filter_subjects: config.filter_subjects,
		deliver_policy: config.deliver_policy ?? DeliverPolicy.New,
		opt_start_seq: config.opt_start_seq,
		opt_start_time: config.opt_start_time,
		// A test run must never acknowledge anything: nothing to ack, nothing to redeliver.
		ack_policy: AckPolicy.None,
		inactive_threshold: EPHEMERAL_INACTIVE_MS * NANOS_PER_MS,
		mem_storage: true,
	});
	return client.js.consumers.getConsumerFromInfo(info);
}

async function open(client: NatsClient, target: ConsumerTarget): Promise<Consumer> {
	switch (target.kind) {
		case 'bind':
			return await bind(client, target.stream, target.durable);
		case 'ensure':
			return await ensure(client, target.stream, target.config);
		default:
			return await ephemeral(client, target.stream, target.config);
	}
}

function consumerName(target: ConsumerTarget): string | undefined {
	if (target.kind === 'bind') return target.durable;
	return target.kind === 'ensure' ? target.config.durable_name : undefined;
}

async function watchStatus(messages: ConsumerMessages, onStatus: (status: ConsumeStatus) => void): Promise<void> {
	for await (const s of messages.status()) {
		if (s.type === 'next' || s.type === 'heartbeat' || s.type === 'discard') continue;
		const description = 'description' in s ? String(s.description) : 'count' in s ? `count ${String(s.count)}` : '';
		onStatus({ type: s.type, description });
	}
}

function session(messages: ConsumerMessages): ConsumeSession {
	return {
		async *[Symbol.asyncIterator]() {
			for await (const msg of messages) yield toDelivery(msg);
		},
		close: () => {
			// The outcome of closing arrives through the iterator (it ends, or throws the error).
			void messages.close().catch(() => undefined);
		},
	};
}

/** How often, and how far apart, a consumer reported missing is looked up before it counts as deleted. */
const GONE_CHECKS = 3;
const GONE_CHECK_PAUSE_MS = 1_000;

/**
 * A server that is restarting reports consumers as missing until it has restored them; creating one
 * then would start it again from the beginning and redeliver everything. Only a consumer that stays
 * missing for a few seconds is taken as deleted.
 */
async function stillThere(client: NatsClient, stream: string, name: string): Promise<boolean> {
	for (let check = 1; check <= GONE_CHECKS; check++) {
		const found = await (await client.jsm()).consumers.info(stream, name).then(
			() => true,
			(error: unknown) => (isNotFound(error) ? false : undefined),
		);
		if (found) return true;
		if (check < GONE_CHECKS) await new Promise((resolve) => setTimeout(resolve, GONE_CHECK_PAUSE_MS));
		else if (found === undefined) return true;
	}
	return false;
}

/**
 * Opens the consumer the trigger reads from. Errors name the stream and consumer ("Stream X does not
 * exist", "Consumer Y does not exist on stream X").
 */
export async function openTriggerConsumer(client: NatsClient, target: ConsumerTarget): Promise<TriggerConsumer> {
	const context = { stream: target.stream, consumer: consumerName(target) };
	let consumer: Consumer;
	try {
		consumer = await open(client, target);
	} catch (error) {
		throw toNodeError(error, context);
	}
	const info = await consumer.info(true);
	return {
		facts: factsOf(info),
		consume: async (maxMessages, onStatus) => {
			const messages = await consumer.consume({ max_messages: maxMessages, expires: PULL_EXPIRES_MS });
			watchStatus(messages, onStatus).catch((error: unknown) =>
				onStatus({ type: 'status_error', description: String(error) }),
			);
			return session(messages);
		},
		recover: async () => {
			const name = consumerName(target);
			if (target.kind === 'ephemeral' || !name) return 'gone';
			try {
				if (await stillThere(client, target.stream, name)) return 'back';
				if (target.kind !== 'ensure') return 'gone';
				await (await client.jsm()).consumers.add(target.stream, target.config);
				return 'recreated';
			} catch (error) {
				throw toNodeError(error, context);
			}
		},
		dispose: async () => {
			flushAcks();
			if (target.kind !== 'ephemeral') return;
			try {
				await consumer.delete();
			} catch (error) {
				// Already gone (inactive threshold, server restart of a memory consumer) is the goal anyway.
				if (!isNotFound(error)) throw toNodeError(error, context);
			}
		},
	};
}
