import type { FakeTrigger } from '../../helpers/fakeTrigger';
import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { activate, pause, sequences, triggerSuite } from './harness';

/**
 * The trigger under the loads that broke it: a backlog many times the read-ahead in front of
 * executions longer than a third of the ack wait, batches that take longer to fill than the ack
 * wait, and an event loop so busy that the server redelivers messages the trigger still holds.
 */

const suite = triggerSuite('trigger-load', 'TLOAD');

function executionsPerMessage(fake: FakeTrigger): Map<number, number> {
	const counts = new Map<number, number>();
	sequences(fake).forEach((s) => counts.set(s, (counts.get(s) ?? 0) + 1));
	return counts;
}

/** Samplers still running: a test that fails before stopping its sampler must not keep Jest alive. */
const samplers = new Set<{ stop(): Promise<Sample[]> }>();
afterEach(async () => {
	await Promise.all([...samplers].map((s) => s.stop()));
});

interface Sample {
	/** When the answer arrived: the count held at some moment before. */
	at: number;
	ackPending: number;
}

/** Samples the consumer's unacknowledged count until stopped; returns every sample. */
function sampleAckPending(durable: string): { stop(): Promise<Sample[]> } {
	const samples: Sample[] = [];
	let running = true;
	const loop = (async () => {
		while (running) {
			const info = await suite.stream.consumer(durable).catch(() => undefined);
			if (info) samples.push({ at: Date.now(), ackPending: info.num_ack_pending });
			await pause(50);
		}
	})();
	const sampler = {
		stop: async () => {
			running = false;
			samplers.delete(sampler);
			await loop;
			return samples;
		},
	};
	samplers.add(sampler);
	return sampler;
}

function highest(samples: Sample[]): number {
	return Math.max(0, ...samples.map((s) => s.ackPending));
}

/** Blocks the whole process, as a busy n8n does: no timer, no socket read, no keep-alive. */
function blockEventLoop(ms: number): void {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		// busy on purpose
	}
}

describe('JetStream Trigger under load', () => {
	it('runs each message of a backlog once when executions are slow, with parallel + read-ahead unacknowledged at most', async () => {
		const durable = uniqueName('d');
		const backlog = 60;
		const parallel = 3;
		await suite.stream.publish(backlog);
		const ackPending = sampleAckPending(durable);
		// Executions of 450 ms against a 1 s ack wait: longer than a third of it, the keep-alive interval.
		const trigger = await suite.start(durable, {
			params: { ackWaitSeconds: 1 },
			script: () => ({ succeedAfterMs: 450 }),
			options: { parallelExecutions: parallel },
		});
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === backlog, 60_000, 'backlog acknowledged');
		const highestSeen = highest(await ackPending.stop());
		const counts = executionsPerMessage(trigger.fake);
		expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
		expect(counts.size).toBe(backlog);
		// No message was delivered a second time: the consumer sequence counts every delivery.
		expect((await suite.stream.consumer(durable)).delivered.consumer_seq).toBe(backlog);
		// parallel executions + a read-ahead of twice the parallel limit
		expect(highestSeen).toBeLessThanOrEqual(parallel * 3);
		expect(highestSeen).toBeGreaterThanOrEqual(parallel);
	}, 90_000);

	it('keeps the unacknowledged count bounded through a long stall of every execution slot, and after it', async () => {
		const durable = uniqueName('d');
		await suite.stream.publish(40);
		// One sampler through the stall and after it, its samples split by when the stall ended.
		const sampler = sampleAckPending(durable);
		// One slot, held 7 s: longer than two pull heartbeats, when lost pull requests would be re-sent.
		const trigger = await suite.start(durable, {
			params: { ackWaitSeconds: 1 },
			script: ({ index }) => ({ succeedAfterMs: index === 0 ? 7_000 : 20 }),
			options: { parallelExecutions: 1 },
		});
		// Waits for the stalled execution's end, not for a count of emissions: the 20 ms ones after it
		// can outrun a poll, and a busy machine then never sees exactly two.
		await eventually(() => trigger.fake.emissions[0]?.endedAt !== undefined, 15_000, 'the stall over');
		const stallEnded = trigger.fake.emissions[0].endedAt ?? 0;
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === 40, 30_000, 'all acknowledged after the stall');
		const samples = await sampler.stop();
		const duringStall = samples.filter((s) => s.at < stallEnded);
		const afterStall = samples.filter((s) => s.at >= stallEnded);
		// The stall was sampled: most of its 7 s, not a moment.
		expect(duringStall.length).toBeGreaterThan(20);
		// While stalled: the one running plus a read-ahead of twice the limit, nothing piled up.
		expect(highest(duringStall)).toBeLessThanOrEqual(3);
		// After: 20 ms executions take about 5 in 100 ms, so the read-ahead grows a little, no burst.
		expect(highest(afterStall)).toBeLessThanOrEqual(8);
		expect(new Set(sequences(trigger.fake)).size).toBe(40);
		expect(sequences(trigger.fake)).toHaveLength(40);
	}, 60_000);

	it('keeps a batch alive while it fills for longer than the ack wait', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { ackWaitSeconds: 1 },
			options: { batchSize: 5, batchMaxWait: 2.5 },
		});
		await suite.stream.publish(2);
		await eventually(() => trigger.fake.emissions.length === 1, 10_000, 'the batch emitted after its max wait');
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === 2, 5_000, 'the batch acknowledged');
		await pause(1_500);
		expect(trigger.fake.emissions).toHaveLength(1);
		expect(trigger.fake.emissions[0].items.map((i) => i.json.deliveryCount)).toEqual([1, 1]);
		expect((await suite.stream.consumer(durable)).delivered.consumer_seq).toBe(2);
	});

	it('refuses a Batch Max Wait that the consumer\'s sub-second ack wait cannot keep alive, saying why', async () => {
		await expect(
			activate(suite.server, suite.stream, uniqueName('d'), {
				params: { backoff: '0.5, 5', maxDeliver: 5 },
				options: { batchSize: 10, batchMaxWait: 1 },
			}),
		).rejects.toThrow(/“Batch Max Wait” \(1 s\) is not shorter than the consumer's ack wait \(0.5 s\)/);
	});

	it('answers once a message the server redelivered while the trigger still held it (the event loop was blocked)', async () => {
		const durable = uniqueName('d');
		let blocked = false;
		const trigger = await suite.start(durable, {
			params: { ackWaitSeconds: 1 },
			script: () => {
				if (!blocked) {
					blocked = true;
					// Longer than two ack waits: the server redelivers every message the trigger holds.
					blockEventLoop(2_500);
				}
				return { succeedAfterMs: 300 };
			},
			options: { parallelExecutions: 2 },
		});
		await suite.stream.publish(8);
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === 8, 20_000, 'all acknowledged');
		await pause(1_500);
		const info = await suite.stream.consumer(durable);
		// The server did deliver copies (the consumer sequence counts every delivery)…
		expect(info.delivered.consumer_seq).toBeGreaterThan(8);
		const counts = executionsPerMessage(trigger.fake);
		// …and each message still ran once.
		expect([...counts].filter(([, n]) => n > 1)).toEqual([]);
		expect(counts.size).toBe(8);
		expect(trigger.fake.logs.some((l) => /came again \(delivery 2 after 1\) while the trigger holds it/.test(l.message))).toBe(true);
	});
});
