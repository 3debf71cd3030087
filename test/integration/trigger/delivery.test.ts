import { jetstream } from '@nats-io/jetstream';

import { eventually, type ScriptedOutcome } from '../../helpers/fakeTrigger';
import { serverAtLeast, startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { activate, createStream, pause, sequences, type ActiveTrigger, type TestStream } from './harness';

/** Acknowledgement semantics of the JetStream Trigger against a real nats-server. */

let server: NatsServer;
let stream: TestStream;
let trigger: ActiveTrigger | undefined;

beforeAll(async () => {
	server = await startNatsServer({ label: 'trigger-delivery' });
});

afterAll(async () => {
	await server.cleanup();
});

beforeEach(async () => {
	stream = await createStream(server);
});

afterEach(async () => {
	await trigger?.close();
	trigger = undefined;
	await stream.close();
});

const durable = () => uniqueName('d');

describe('JetStream Trigger delivery', () => {
	it('acknowledges a message only after its execution succeeded, and outputs its details', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, { script: () => ({ succeedAfterMs: 700 }) });
		await stream.publish(1, () => JSON.stringify({ order: 42 }), {
			'X-Correlation-Id': 'corr-1',
			'Nats-Msg-Id': 'msg-1',
			'X-Tag': ['a', 'b'],
		});
		const { fake } = trigger;
		await eventually(() => fake.emissions.length === 1, 5_000, 'first emission');
		const during = await stream.consumer(name);
		expect(during.ack_floor.stream_seq).toBe(0);
		expect(during.num_ack_pending).toBe(1);

		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 1, 5_000, 'ack after success');
		const item = fake.emissions[0].items[0].json;
		expect(item).toMatchObject({
			payload: { order: 42 },
			subject: stream.subject,
			stream: stream.name,
			consumer: name,
			streamSequence: 1,
			consumerSequence: 1,
			deliveryCount: 1,
			correlationId: 'corr-1',
			messageId: 'msg-1',
			pending: 0,
		});
		expect((item.headers as Record<string, unknown>)['X-Tag']).toEqual(['a', 'b']);
		expect(String(item.ackToken)).toMatch(new RegExp(`^\\$JS\\.ACK\\.${stream.name}\\.${name}\\.`));
		expect(Number.isNaN(Date.parse(String(item.timestamp)))).toBe(false);
	});

	it('redelivers a failed message with growing delays until an execution succeeds', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, {
			script: ({ index }) => (index < 3 ? 'fail' : 'succeed'),
			options: { retryDelay: 0.3 },
		});
		await stream.publish(1);
		const { fake } = trigger;
		await eventually(() => fake.emissions.length === 4, 10_000, 'four attempts');
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 1, 5_000, 'final ack');
		const counts = fake.items().map((i) => i.json.deliveryCount);
		expect(counts).toEqual([1, 2, 3, 4]);
		const starts = fake.emissions.map((e) => e.startedAt);
		const gaps = starts.slice(1).map((t, i) => t - starts[i]);
		expect(gaps[0]).toBeGreaterThanOrEqual(280);
		expect(gaps[1]).toBeGreaterThan(gaps[0]);
		expect(gaps[2]).toBeGreaterThan(gaps[1]);
		expect(gaps[2]).toBeGreaterThanOrEqual(1_100);
	});

	it('keeps a message that runs longer than the ack wait from being delivered to a second execution', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, { script: () => ({ succeedAfterMs: 3_500 }) });
		await stream.publish(1);
		const { fake } = trigger;
		await eventually(() => fake.emissions[0]?.outcome === 'succeeded', 8_000, 'long execution to finish');
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 1, 3_000, 'ack');
		await pause(1_200);
		expect(fake.emissions).toHaveLength(1);
		// Every delivery, redeliveries included, raises the consumer sequence: it must still be 1.
		expect((await stream.consumer(name)).delivered.consumer_seq).toBe(1);
	});

	it('never runs more executions at once than the parallel limit, and holds only a small multiple of it', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, {
			script: () => ({ succeedAfterMs: 150 }),
			options: { parallelExecutions: 3 },
		});
		await stream.publish(30);
		const { fake } = trigger;
		let maxAckPending = 0;
		await eventually(
			async () => {
				maxAckPending = Math.max(maxAckPending, (await stream.consumer(name)).num_ack_pending);
				return fake.emissions.filter((e) => e.outcome).length === 30;
			},
			20_000,
			'thirty executions',
		);
		expect(fake.maxRunning()).toBe(3);
		// Three running, six read ahead (kept alive), at most six received by the client behind them and six
		// asked for and on their way: 3 + 3 × 6, never the backlog.
		expect(maxAckPending).toBeLessThanOrEqual(21);
		expect(new Set(sequences(fake)).size).toBe(30);
	});

	it('keeps messages read ahead alive while they wait for a slot longer than the ack wait', async () => {
		const name = durable();
		// One execution at a time, 1.2 s each, ack wait 1 s: message 3 waits about 2.4 s in the read-ahead.
		trigger = await activate(server, stream, name, { script: () => ({ succeedAfterMs: 1_200 }), options: { parallelExecutions: 1 } });
		await stream.publish(3);
		const { fake } = trigger;
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 3, 10_000, 'all three acked');
		expect(sequences(fake)).toEqual([1, 2, 3]);
		expect(fake.items().map((i) => i.json.deliveryCount)).toEqual([1, 1, 1]);
		expect((await stream.consumer(name)).num_redelivered).toBe(0);
	});

	it('puts a batch into one execution and retries the whole batch when it fails', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, {
			script: ({ index }) => (index === 0 ? 'fail' : 'succeed'),
			options: { batchSize: 5, batchMaxWait: 0.3, parallelExecutions: 1 },
		});
		await stream.publish(12);
		const { fake } = trigger;
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 12, 10_000, 'all twelve acked');
		const first = fake.emissions[0].items.map((i) => Number(i.json.streamSequence));
		expect(first).toEqual([1, 2, 3, 4, 5]);
		fake.emissions.forEach((e) => expect(e.items.length).toBeLessThanOrEqual(5));
		const retried = fake.items().filter((i) => i.json.deliveryCount === 2).map((i) => Number(i.json.streamSequence));
		expect(retried.sort((a, b) => a - b)).toEqual(first);
		expect(new Set(sequences(fake)).size).toBe(12);
		expect(fake.items()).toHaveLength(17);
	});

	it('in "later" mode, redelivers a message whose execution ended without acknowledging it', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, {
			params: { ackMode: 'later' },
			script: async ({ index, items }): Promise<ScriptedOutcome> => {
				if (index === 0) return 'succeed';
				// The second execution acknowledges the way the Acknowledge operation does.
				stream.nc.publish(String(items[0].json.ackToken), '+ACK');
				await stream.nc.flush();
				return 'succeed';
			},
		});
		await stream.publish(1);
		const { fake } = trigger;
		await eventually(() => fake.emissions.length === 2, 5_000, 'redelivery after an unacknowledged execution');
		expect(fake.items().map((i) => i.json.deliveryCount)).toEqual([1, 2]);
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 1, 3_000, 'ack from the workflow');
		await pause(1_500);
		expect(fake.emissions).toHaveLength(2);
	});

	it('records a message that is not JSON as a failed execution and keeps going', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, { options: { content: 'json' } });
		await stream.publish(1, () => 'this is not json');
		await stream.publish(1, () => '{"ok":true}');
		const { fake } = trigger;
		// The two are handled side by side: the bad one is recorded once its dead-letter copy is stored.
		await eventually(() => fake.emissions.length === 1 && fake.failedExecutions.length === 1, 5_000, 'the valid message and the failure record');
		expect(fake.items()[0].json.payload).toEqual({ ok: true });
		expect(fake.failedExecutions[0].message).toMatch(/Message 1 .* is not valid JSON/);
		expect(fake.emittedErrors).toHaveLength(0);
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 2, 3_000, 'both settled');
		await pause(1_500);
		expect(fake.emissions).toHaveLength(1);
		expect(fake.logs.some((l) => l.level === 'warn' && /not valid JSON/.test(l.message))).toBe(true);
	});

	it('in "immediately" mode, acknowledges before the execution and does not retry a failure', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, { params: { ackMode: 'immediately' }, script: () => ({ failAfterMs: 800 }) });
		await stream.publish(1);
		const { fake } = trigger;
		await eventually(() => fake.emissions.length === 1, 5_000, 'emission');
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 1, 700, 'ack before the execution ends');
		await pause(1_500);
		expect(fake.emissions).toHaveLength(1);
	});

	it('in "when execution finishes" mode, acknowledges a failed execution too', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, { params: { ackMode: 'executionFinishes' }, script: () => 'fail' });
		await stream.publish(1);
		await eventually(async () => (await stream.consumer(name)).ack_floor.stream_seq === 1, 5_000, 'ack');
		await pause(800);
		expect(trigger.fake.emissions).toHaveLength(1);
	});

	it('outputs text and binary payloads as configured, and the payload alone with "Payload Only"', async () => {
		const name = durable();
		trigger = await activate(server, stream, name, { options: { payloadOnly: true } });
		await stream.publish(1, () => '{"a":1}');
		await stream.publish(1, () => 'plain words');
		await stream.publish(1, () => new Uint8Array([0xff, 0xfe, 0x00, 0x01]));
		const { fake } = trigger;
		await eventually(() => fake.emissions.length === 3, 5_000, 'three emissions');
		const [json, text, bin] = fake.emissions.map((e) => e.items[0]);
		expect(json.json).toMatchObject({ a: 1, _jetstream: { streamSequence: 1 } });
		expect(text.json).toMatchObject({ payload: 'plain words' });
		expect(Buffer.from(bin.binary?.data.data ?? '', 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x01]));
	});

	// Refused with the version it needs on 2.9 (test/badInput); working on the servers users run.
	if (serverAtLeast('2.10.0')) {
		it('reads several filter subjects through one consumer on a 2.10+ server', async () => {
			const name = durable();
			const prefix = stream.name.toLowerCase();
			trigger = await activate(server, stream, name, { params: { filterSubjects: `${prefix}.created, ${prefix}.paid` } });
			const js = jetstream(stream.nc);
			for (const subject of ['created', 'shipped', 'paid']) await js.publish(`${prefix}.${subject}`, JSON.stringify({ subject }));
			await eventually(() => trigger!.fake.emissions.length === 2, 5_000, 'the two filtered subjects');
			await pause(300);
			expect(trigger.fake.items().map((i) => i.json.subject).sort()).toEqual([`${prefix}.created`, `${prefix}.paid`]);
			expect((await stream.consumer(name)).config.filter_subjects).toEqual([`${prefix}.created`, `${prefix}.paid`]);
		});
	}
});
