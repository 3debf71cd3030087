import { eventually } from '../../helpers/fakeTrigger';
import { serverAtLeast, uniqueName } from '../../helpers/natsServer';
import { jetstream } from '@nats-io/jetstream';
import { pause, sequences, triggerSuite } from './harness';

/** Rate limit and circuit breaker of the trigger against a real nats-server. */

const suite = triggerSuite('trigger-flow', 'TFLOW');

describe('JetStream Trigger flow control', () => {
	it('starts no more executions per second than the rate limit', async () => {
		const durable = uniqueName('d');
		await suite.stream.publish(8);
		const trigger = await suite.start(durable, { options: { rateLimit: 4 } });
		await eventually(() => trigger.fake.emissions.length === 8, 10_000, 'all eight');
		// A burst of one second's worth (4), then one every 250 ms: the eighth starts ≥ 1 s after the first.
		const starts = trigger.fake.emissions.map((e) => e.startedAt);
		expect(starts[7] - starts[0]).toBeGreaterThanOrEqual(900);
	});

	it('stops pulling while the circuit is open, tries one message after the cool-down, then resumes', async () => {
		const durable = uniqueName('d');
		let downstreamUp = false;
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 20 },
			script: () => (downstreamUp ? 'succeed' : 'fail'),
			options: { parallelExecutions: 1, circuitBreakerFailures: 2, circuitBreakerCoolDown: 1, retryDelay: 0.05 },
		});
		await suite.stream.publish(5);
		await eventually(() => trigger.fake.logs.some((l) => /Circuit opened after 2 failed/.test(l.message)), 5_000, 'circuit opened');
		const whileOpen = trigger.fake.emissions.length;
		await pause(600);
		expect(trigger.fake.emissions.length).toBe(whileOpen);
		downstreamUp = true;
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === 5, 10_000, 'all acknowledged after the circuit closed');
		expect(trigger.fake.logs.some((l) => /Circuit half-open/.test(l.message))).toBe(true);
		expect(trigger.fake.logs.some((l) => /Circuit closed/.test(l.message))).toBe(true);
		expect(new Set(sequences(trigger.fake))).toEqual(new Set([1, 2, 3, 4, 5]));
		// The messages waited in the stream: none was delivered more than a few times, none dead-lettered.
		const info = await suite.stream.consumer(durable);
		expect(info.num_pending + info.num_ack_pending).toBe(0);
		await expect(suite.stream.jsm.streams.info('DLQ').then((s) => s.state.messages)).resolves.toBe(0);
	});

	(serverAtLeast('2.11.0') ? it : it.skip)('with "Pause Consumer on Server" pauses the consumer for the cool-down, so no reader gets messages, then carries on', async () => {
		const durable = uniqueName('d');
		let downstreamUp = false;
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 20 },
			script: () => (downstreamUp ? 'succeed' : 'fail'),
			options: { parallelExecutions: 1, circuitBreakerFailures: 2, circuitBreakerCoolDown: 3, circuitBreakerPauseConsumer: true, retryDelay: 0.05 },
		});
		await suite.stream.publish(5);
		await eventually(async () => (await suite.stream.consumer(durable)).paused === true, 5_000, 'the consumer paused on the server');
		const opened = Date.now();
		const info = await suite.stream.consumer(durable);
		expect(Date.parse(String(info.config.pause_until)) - opened).toBeGreaterThan(1_500);
		// Another reader of the same durable (another n8n instance) gets nothing meanwhile.
		const other = await jetstream(suite.stream.nc).consumers.get(suite.stream.name, durable);
		const got: number[] = [];
		for await (const m of await other.fetch({ max_messages: 5, expires: 1_000 })) {
			got.push(m.seq);
			m.nak();
		}
		expect(got).toEqual([]);
		expect(trigger.fake.logs.some((l) => /Paused consumer ".*" on the server until/.test(l.message))).toBe(true);
		downstreamUp = true;
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === 5, 15_000, 'all acknowledged after the cool-down');
		expect((await suite.stream.consumer(durable)).paused).not.toBe(true);
	});

	(serverAtLeast('2.11.0') ? it.skip : it)('refuses "Pause Consumer on Server" on a server before 2.11, naming the version', async () => {
		const started = suite.start(uniqueName('d'), { options: { circuitBreakerFailures: 2, circuitBreakerPauseConsumer: true } });
		await expect(started).rejects.toThrow(/Circuit Breaker: Pause Consumer on Server needs NATS server 2\.11\.0 or newer/);
	});

	it('tries a message after the cool-down even when nothing was waiting in line when the circuit opened', async () => {
		const durable = uniqueName('d');
		// One message fails and opens the circuit with nothing else read; its open pull request expires.
		const trigger = await suite.start(durable, {
			params: { ackMode: 'executionFinishes' },
			script: ({ index }) => (index === 0 ? 'fail' : 'succeed'),
			options: { parallelExecutions: 1, circuitBreakerFailures: 1, circuitBreakerCoolDown: 1 },
		});
		await suite.stream.publish(1);
		await eventually(() => trigger.fake.logs.some((l) => /Circuit opened/.test(l.message)), 5_000, 'circuit opened');
		// Longer than a pull request lives (10 s): nothing is asked meanwhile, nothing arrives on its own.
		await pause(11_000);
		await suite.stream.publish(1);
		await eventually(() => sequences(trigger.fake).includes(2), 10_000, 'the next message after the cool-down');
		expect(trigger.fake.logs.some((l) => /Circuit half-open/.test(l.message))).toBe(true);
	}, 30_000);
});
