import { AckPolicy, DeliverPolicy, type Consumer, type ConsumerConfig, type ConsumerInfo } from '@nats-io/jetstream';

import { isStreamNotFound, toNodeError } from '../errorMapping';
import { msToNanos, nanosToMs } from '../units';
import { apiPrefix, type NatsClient } from './client';
import { openPuller, type PullHandlers, type Puller } from './pull';
import { fitExpires, type PullLimits } from './pullLimits';
import type { CheckResult } from './pullMachine';

/**
 * The consumer the JetStream Trigger reads from: binding to (or creating) a durable pull consumer, a
 * throwaway consumer for manual test runs, and a `Puller` whose messages come out as
 * transport-neutral `Delivery` objects, so the trigger never touches the client library.
 */

/** What the trigger needs to know about the consumer it reads from. */
export interface ConsumerFacts {
	stream: string;
	name: string;
	/** Effective ack wait in ms (the server replaces it with the first backoff step when there is one). */
	ackWaitMs: number;
	backoffMs: number[];
	/** -1 = unlimited. */
	maxDeliver: number;
	/** "explicit" for every consumer the trigger makes; a bound consumer may say otherwise. */
	ackPolicy: string;
	/** A push consumer (it has a deliver subject): the trigger cannot pull from it. */
	push: boolean;
	/** What the consumer lets one pull request ask (its max_expires, max_batch, priority group). */
	limits: PullLimits;
	/** The durable's filter and start settings, copied for a manual test run in bind mode. */
	config: Partial<ConsumerConfig>;
}

export type ConsumerTarget =
	| { kind: 'bind'; stream: string; durable: string }
	| { kind: 'ensure'; stream: string; config: Partial<ConsumerConfig> }
	| { kind: 'ephemeral'; stream: string; config: Partial<ConsumerConfig> };

/** After the server reported the consumer missing: still there, made again, or gone with its stream or alone. */
export type RecoverOutcome = 'back' | 'recreated' | 'consumerGone' | 'streamGone';

export interface TriggerConsumer {
	readonly facts: ConsumerFacts;
	/** Opens a pull subscription; nothing is asked for until `request()`. */
	pull(handlers: PullHandlers): Puller;
	/**
	 * After the server reported the consumer missing: 'back' when it exists after all (a restarting
	 * server), 'recreated' when it was gone and the node manages it, otherwise which one is gone.
	 */
	recover(): Promise<RecoverOutcome>;
	/** Deletes a throwaway consumer; does nothing for a durable. */
	dispose(): Promise<void>;
	/** Pauses the consumer on the server until `until` (2.11+): no reader gets messages meanwhile. */
	pause(until: Date): Promise<void>;
}

/** A throwaway consumer the server removes by itself if n8n dies before deleting it. */
const EPHEMERAL_INACTIVE_MS = 60_000;
/** How long one pull request stays open at the server (less when the consumer allows less). */
const PULL_EXPIRES_MS = 10_000;
/** The server's heartbeat for an open pull request: two missed ones mean the request was lost. */
const PULL_HEARTBEAT_MS = 2_500;

function limitsOf(config: Partial<ConsumerConfig>): PullLimits {
	const groups = config.priority_groups ?? [];
	const limits: PullLimits = {
		expiresMs: PULL_EXPIRES_MS,
		heartbeatMs: PULL_HEARTBEAT_MS,
		maxBatch: config.max_batch ?? 0,
		group: config.priority_policy && config.priority_policy !== 'none' && groups.length > 0 ? groups[0] : undefined,
		pinned: config.priority_policy === 'pinned_client',
	};
	// A pinned reader must ask again well within the failover time, or the server hands its pin to another.
	const failoverMs = limits.pinned && config.priority_timeout ? nanosToMs(config.priority_timeout) : 0;
	return fitExpires(fitExpires(limits, nanosToMs(config.max_expires)), Math.floor(failoverMs / 2));
}

function factsOf(info: ConsumerInfo): ConsumerFacts {
	const backoffMs = (info.config.backoff ?? []).map(nanosToMs);
	const ackWaitMs = info.config.ack_wait ? nanosToMs(info.config.ack_wait) : 30_000;
	return {
		stream: info.stream_name,
		name: info.name,
		ackWaitMs: backoffMs.length > 0 ? Math.min(ackWaitMs, ...backoffMs) : ackWaitMs,
		backoffMs,
		maxDeliver: info.config.max_deliver ?? -1,
		ackPolicy: String(info.config.ack_policy ?? AckPolicy.Explicit),
		push: !!info.config.deliver_subject,
		limits: limitsOf(info.config),
		config: info.config,
	};
}

function isConsumerNotFound(error: unknown): boolean {
	const code = (error as { code?: unknown; api_error?: { err_code?: number } })?.api_error?.err_code;
	return code === 10014 || /consumer not found/i.test(String((error as Error)?.message ?? ''));
}

/**
 * Whether the consumer exists, and its current limits: the one lookup behind the puller's check and
 * recovery. 'unknown' when the server cannot say now (down, electing a leader, timing out).
 */
async function consumerStatus(client: NatsClient, stream: string, name: string): Promise<CheckResult> {
	try {
		const info = await (await client.jsm()).consumers.info(stream, name);
		return { status: 'ok', limits: limitsOf(info.config) };
	} catch (error) {
		if (isStreamNotFound(error)) return { status: 'streamGone' };
		if (isConsumerNotFound(error)) return { status: 'consumerGone' };
		return { status: 'unknown', error: error as Error };
	}
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
		if (!isConsumerNotFound(error)) throw error;
		await jsm.consumers.add(stream, config);
	}
	return await client.js.consumers.get(stream, name);
}

/**
 * Deliver policy and start position are fixed when a durable is created; only these may change. One
 * active reader can be turned on by an update; the server refuses to turn it off (it keeps it).
 */
function updatable(config: Partial<ConsumerConfig>): Partial<ConsumerConfig> {
	const oneReader = config.priority_groups ? { priority_groups: config.priority_groups, priority_policy: config.priority_policy, priority_timeout: config.priority_timeout } : {};
	return {
		...oneReader,
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
		inactive_threshold: msToNanos(EPHEMERAL_INACTIVE_MS),
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

/** How often, and how far apart, a consumer reported missing is looked up before it counts as deleted. */
const GONE_CHECKS = 3;
const GONE_CHECK_PAUSE_MS = 1_000;

/**
 * A server that is restarting reports consumers as missing until it has restored them; creating one
 * then would start it again from the beginning and redeliver everything. Only a consumer that stays
 * missing for a few seconds is taken as deleted; a server that cannot say counts as "still there".
 */
async function lookAgain(client: NatsClient, stream: string, name: string): Promise<'ok' | 'consumerGone' | 'streamGone'> {
	let last: CheckResult = { status: 'unknown' };
	for (let check = 1; check <= GONE_CHECKS; check++) {
		last = await consumerStatus(client, stream, name);
		if (last.status === 'ok') return 'ok';
		if (check < GONE_CHECKS) await new Promise((resolve) => setTimeout(resolve, GONE_CHECK_PAUSE_MS));
	}
	return last.status === 'unknown' ? 'ok' : last.status;
}

/**
 * Opens the consumer the trigger reads from. Errors name the stream and consumer ("Stream X does not
 * exist", "Consumer Y does not exist on stream X").
 */
export async function openTriggerConsumer(client: NatsClient, target: ConsumerTarget): Promise<TriggerConsumer> {
	const context = { stream: target.stream, consumer: consumerName(target) };
	let consumer: Consumer;
	let info: ConsumerInfo;
	try {
		consumer = await open(client, target);
		info = await consumer.info(true);
	} catch (error) {
		throw toNodeError(error, context);
	}
	const facts = factsOf(info);
	return {
		facts,
		pull: (handlers) =>
			openPuller(
				client,
				{ apiPrefix: apiPrefix(client.credentials), stream: info.stream_name, consumer: info.name },
				{ limits: facts.limits, check: async () => await consumerStatus(client, info.stream_name, info.name) },
				handlers,
			),
		recover: async () => {
			const name = consumerName(target);
			if (target.kind === 'ephemeral' || !name) return 'consumerGone';
			try {
				const found = await lookAgain(client, target.stream, name);
				if (found === 'ok') return 'back';
				if (found === 'streamGone' || target.kind !== 'ensure') return found;
				await (await client.jsm()).consumers.add(target.stream, target.config);
				return 'recreated';
			} catch (error) {
				throw toNodeError(error, context);
			}
		},
		pause: async (until) => {
			try {
				await (await client.jsm()).consumers.pause(info.stream_name, info.name, until);
			} catch (error) {
				throw toNodeError(error, context);
			}
		},
		dispose: async () => {
			if (target.kind !== 'ephemeral') return;
			try {
				await consumer.delete();
			} catch (error) {
				// Already gone (inactive threshold, server restart of a memory consumer) is the goal anyway.
				if (!isConsumerNotFound(error)) throw toNodeError(error, context);
			}
		},
	};
}
