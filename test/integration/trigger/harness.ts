import { jetstream, jetstreamManager, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { triggerSettled } from '../../../nodes/JetStreamTrigger/consumer/startTrigger';
import { fakeTrigger, type FakeTrigger, type Script } from '../../helpers/fakeTrigger';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';

/**
 * Shared set-up for trigger integration tests: a unique stream per test, a test-side connection to
 * publish and inspect the consumer, and an activated trigger driven by a scripted fake n8n context.
 */

export interface TestStream {
	name: string;
	subject: string;
	nc: NatsConnection;
	jsm: JetStreamManager;
	publish(count: number, body?: (i: number) => string | Uint8Array, hdrs?: Record<string, string | string[]>): Promise<void>;
	consumer(durable: string): Promise<ConsumerInfo>;
	close(): Promise<void>;
}

/** A unique stream, published and inspected through `connection` (default: a test-side connection of its own, closed with it). */
export async function createStream(server: NatsServer, prefix = 'TRIG', connection?: NatsConnection): Promise<TestStream> {
	const name = uniqueName(prefix);
	const subject = `${name.toLowerCase()}.events`;
	const nc = connection ?? (await connect({ servers: server.url, name: 'test-side', maxReconnectAttempts: -1, reconnectTimeWait: 200 }));
	const jsm = await jetstreamManager(nc);
	await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`] });
	const js = jetstream(nc);
	let counter = 0;
	return {
		name,
		subject,
		nc,
		jsm,
		async publish(count, body = (i) => JSON.stringify({ n: i }), hdrs) {
			for (let i = 0; i < count; i++) {
				counter++;
				const h = natsHeaders();
				for (const [k, v] of Object.entries(hdrs ?? {})) (Array.isArray(v) ? v : [v]).forEach((value) => h.append(k, value));
				await js.publish(subject, body(counter), { headers: h });
			}
		},
		consumer: (durable) => jsm.consumers.info(name, durable),
		close: async () => {
			await jsm.streams.delete(name).catch(() => false);
			if (!connection) await nc.close();
		},
	};
}

export interface ActiveTrigger {
	fake: FakeTrigger;
	response: ITriggerResponse;
	close(): Promise<void>;
}

export interface ActivateOptions {
	params?: Record<string, unknown>;
	options?: Record<string, unknown>;
	script?: Script;
	mode?: 'trigger' | 'manual';
	credentials?: Record<string, unknown>;
}

/** Short waits so the suite stays fast: 1 s ack wait, 0.2 s first retry. */
export function triggerParams(stream: TestStream, durable: string, extra: ActivateOptions = {}): Record<string, unknown> {
	return {
		stream: stream.name,
		consumerMode: 'createOrUpdate',
		durableName: durable,
		filterSubjects: '',
		deliverPolicy: 'all',
		ackWaitSeconds: 1,
		maxDeliver: 10,
		backoff: '',
		maxAckPending: 1000,
		ackMode: 'executionSucceeds',
		...extra.params,
		options: { retryDelay: 0.2, maxRetryDelay: 5, closeTimeout: 2, ...extra.options },
	};
}

export async function activate(server: NatsServer, stream: TestStream, durable: string, extra: ActivateOptions = {}): Promise<ActiveTrigger> {
	const fake = fakeTrigger({
		params: triggerParams(stream, durable, extra),
		credentials: extra.credentials ?? { servers: server.url, authType: 'none', connectionName: uniqueName('trigger') },
		mode: extra.mode,
		script: extra.script,
	});
	const response = await new JetStreamTrigger().trigger.call(fake.context);
	let closed = false;
	return {
		fake,
		response,
		close: async () => {
			if (closed) return;
			closed = true;
			await response.closeFunction?.();
			// Executions still running when it closed are answered when they end; the test waits for that.
			await triggerSettled.get(response);
		},
	};
}

export const sequences = (fake: FakeTrigger): number[] => fake.items().map((i) => Number(i.json.streamSequence));

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TriggerSuite {
	readonly server: NatsServer;
	/** A fresh stream for the running test. */
	readonly stream: TestStream;
	/** Activates a trigger on the current stream; it is closed after the test. */
	start(durable: string, extra?: ActivateOptions): Promise<ActiveTrigger>;
}

/**
 * Registers the usual hooks of a trigger test file: one nats-server for the file, a unique stream per
 * test, and every trigger the test started closed (then the stream deleted) after it.
 */
export function triggerSuite(label: string, prefix = 'TRIG'): TriggerSuite {
	let server: NatsServer | undefined;
	let stream: TestStream | undefined;
	const triggers: ActiveTrigger[] = [];
	const need = <T>(value: T | undefined, what: string): T => {
		if (value === undefined) throw new Error(`${what} is only available inside a test`);
		return value;
	};
	beforeAll(async () => {
		server = await startNatsServer({ label });
	});
	afterAll(async () => {
		await server?.cleanup();
	});
	beforeEach(async () => {
		stream = await createStream(need(server, 'The server'), prefix);
	});
	afterEach(async () => {
		for (const t of triggers.splice(0)) await t.close();
		await stream?.jsm.streams.delete('DLQ').catch(() => false);
		await stream?.close();
	});
	return {
		get server() {
			return need(server, 'The server');
		},
		get stream() {
			return need(stream, 'The stream');
		},
		async start(durable, extra) {
			const trigger = await activate(need(server, 'The server'), need(stream, 'The stream'), durable, extra);
			triggers.push(trigger);
			return trigger;
		},
	};
}
