import type { IDataObject } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { METRIC } from '../../../nodes/shared/n8n/prometheus';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute } from '../../helpers/fakeExecute';
import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { histogramCount, sampleValue, scrape } from '../../helpers/prometheus';
import { pause, triggerSuite } from './harness';

/**
 * The trigger's statistics: a run with known successes, failures, retries, duplicates and dead
 * letters gives exactly those numbers — in the statistics bucket (read by Monitor → Trigger
 * Statistics), in the log line and in the Prometheus registry — each compared with an observation
 * of its own: the executions the workflow saw, the naks on the wire, the dead letters in their
 * stream, the deliveries the server counted.
 */

const suite = triggerSuite('trigger-statistics', 'TSTAT');

afterAll(async () => {
	await connectionPool.closeAll();
});

interface Answer {
	kind: string;
	sequence: number;
}

/** Every answer sent for the consumer's messages, as a test-side subscriber of the ack subjects sees them. */
function watchAnswers(durable: string): { answers: Answer[]; stop(): void } {
	const answers: Answer[] = [];
	const sub = suite.stream.nc.subscribe(`$JS.ACK.${suite.stream.name}.${durable}.>`, {
		callback: (_e, msg) => {
			const kind = new TextDecoder().decode(msg.data).split(' ')[0];
			if (kind !== '+WPI') answers.push({ kind, sequence: Number(msg.subject.split('.')[5]) });
		},
	});
	return { answers, stop: () => sub.unsubscribe() };
}

async function deadLettersByReason(): Promise<Record<string, number>> {
	const info = await suite.stream.jsm.streams.info('DLQ');
	const out: Record<string, number> = {};
	for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
		const msg = await suite.stream.jsm.streams.getMessage('DLQ', { seq });
		const reason = msg?.header?.get('X-Dlq-Reason') ?? '?';
		out[reason] = (out[reason] ?? 0) + 1;
	}
	return out;
}

async function triggerStatistics(durable: string): Promise<IDataObject> {
	const { context } = fakeExecute({
		params: { resource: 'monitor', operation: 'triggerStatistics', stream: suite.stream.name, consumerName: durable },
		credentials: { servers: suite.server.url, authType: 'none' },
	});
	const [out] = await new JetStream().execute.call(context);
	return out[0].json;
}

describe('JetStream Trigger statistics', () => {
	it('counts exactly what happened, in the statistics bucket, the log line and /metrics', async () => {
		const durable = uniqueName('d');
		const wire = watchAnswers(durable);
		const fails = new Map<string, number>();
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 2, idempotency: 'payloadField', idempotencyField: 'orderId' },
			options: { content: 'json', statsInterval: 5, retryDelay: 0.1, parallelExecutions: 1 },
			script: ({ items }) => {
				const { orderId } = items[0].json.payload as { orderId: string };
				const n = (fails.get(orderId) ?? 0) + 1;
				fails.set(orderId, n);
				// F-1 fails its first delivery, F-2 every one (dead-lettered after two).
				return orderId === 'F-2' || (orderId === 'F-1' && n === 1) ? 'fail' : 'succeed';
			},
		});
		const order = (orderId: string) => () => JSON.stringify({ orderId });
		for (const id of ['A-1', 'A-2', 'F-1', 'F-2']) await suite.stream.publish(1, order(id));
		await suite.stream.publish(1, () => 'not json {');
		await suite.stream.publish(1, order('A-1'));
		await eventually(async () => {
			const info = await suite.stream.consumer(durable);
			return info.num_pending === 0 && info.num_ack_pending === 0;
		}, 15_000, 'every message answered');

		// What happened, each seen on its own.
		const emissions = trigger.fake.emissions;
		await eventually(() => emissions.every((e) => e.outcome !== undefined), 5_000, 'every execution ended');
		const succeeded = emissions.filter((e) => e.outcome === 'succeeded').length;
		const failed = emissions.filter((e) => e.outcome === 'failed').length;
		const deliveries = (await suite.stream.consumer(durable)).delivered.consumer_seq;
		const dead = await deadLettersByReason();
		const emitted = new Set(emissions.map((e) => Number(e.items[0].json.streamSequence)));
		const naks = wire.answers.filter((a) => a.kind === '-NAK').length;
		// A duplicate is acknowledged without an execution: an ack of a sequence no execution saw.
		const skipped = wire.answers.filter((a) => a.kind === '+ACK' && !emitted.has(a.sequence)).length;
		wire.stop();
		expect({ succeeded, failed, deliveries, naks, dead, skipped }).toEqual({
			succeeded: 3,
			failed: 3,
			deliveries: 8,
			naks: 2,
			dead: { 'max-deliveries': 1, 'parse-error': 1 },
			skipped: 1,
		});

		// The statistics bucket, through Monitor → Trigger Statistics.
		const expected = { received: deliveries, succeeded, failed, retried: naks, duplicatesSkipped: skipped, deadLettered: 2, deadLetteredByReason: dead, discarded: 0 };
		let stats: IDataObject = {};
		await eventually(async () => {
			stats = await triggerStatistics(durable);
			return (stats.recent as IDataObject | undefined)?.received === deliveries;
		}, 15_000, 'the figures in the statistics bucket');
		expect(stats).toMatchObject({ triggers: 1, triggersUp: 1, recent: expected, totals: expected, pending: 0 });
		expect(((stats.recent as IDataObject).executionMs as IDataObject).p50).toEqual(expect.any(Number));

		// The log line of the window.
		const line = trigger.fake.logs.find((l) => l.level === 'info' && /^JetStream Trigger, last 5 s:/.test(l.message));
		expect(line?.message).toMatch(/8 received, 3 succeeded, 3 failed, 2 retried, 2 dead-lettered \((max-deliveries 1, parse-error 1|parse-error 1, max-deliveries 1)\), 1 duplicate\(s\) skipped/);

		// The Prometheus registry, as a scraper reads it.
		const families = await scrape();
		const labels = { stream: suite.stream.name, consumer: durable, workflow_id: 'wf-trigger-test' };
		const events = (event: string) => sampleValue(families, METRIC.messages, { ...labels, event });
		expect({ received: events('received'), succeeded: events('succeeded'), failed: events('failed'), retried: events('retried'), skipped: events('duplicate_skipped') }).toEqual({
			received: deliveries,
			succeeded,
			failed,
			retried: naks,
			skipped,
		});
		expect(sampleValue(families, METRIC.deadLetters, { ...labels, reason: 'parse-error' })).toBe(1);
		expect(sampleValue(families, METRIC.deadLetters, { ...labels, reason: 'max-deliveries' })).toBe(1);
		expect(families.find((f) => f.name === METRIC.latency)?.type).toBe('HISTOGRAM');
		expect(await histogramCount(METRIC.execution, labels)).toBe(emissions.length);
		expect(await histogramCount(METRIC.latency, labels)).toBe(emissions.length);
		expect(sampleValue(families, METRIC.up, labels)).toBe(1);
		expect(sampleValue(families, METRIC.pending, labels)).toBe(0);

		// Closed: its key leaves the bucket and its gauges leave /metrics; counters stay.
		await trigger.close();
		expect(await triggerStatistics(durable)).toMatchObject({ triggers: 0 });
		const after = await scrape();
		expect(sampleValue(after, METRIC.up, labels)).toBeUndefined();
		expect(sampleValue(after, METRIC.messages, { ...labels, event: 'received' })).toBe(deliveries);
	}, 60_000);

	it('counts messages given up with dead-lettering off as discarded, not as dead-lettered', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 2, deadLetter: false },
			options: { content: 'json', statsInterval: 5, retryDelay: 0.1 },
			script: () => 'fail',
		});
		await suite.stream.publish(1, () => JSON.stringify({ orderId: 'F-1' }));
		await suite.stream.publish(1, () => 'not json {');
		await eventually(async () => {
			const info = await suite.stream.consumer(durable);
			return info.num_pending === 0 && info.num_ack_pending === 0;
		}, 15_000, 'both messages answered');
		// Seen on their own: two executions of the failing order, no dead-letter stream made.
		expect(trigger.fake.emissions).toHaveLength(2);
		await expect(suite.stream.jsm.streams.info('DLQ')).rejects.toThrow(/not found/);
		const expected = { received: 3, failed: 2, retried: 1, deadLettered: 0, deadLetteredByReason: {}, discarded: 2 };
		let stats: IDataObject = {};
		await eventually(async () => {
			stats = await triggerStatistics(durable);
			return (stats.totals as IDataObject | undefined)?.discarded === 2;
		}, 15_000, 'the discarded messages in the statistics bucket');
		expect(stats).toMatchObject({ recent: expected, totals: expected });
		const line = trigger.fake.logs.find((l) => l.level === 'info' && /^JetStream Trigger, last 5 s:/.test(l.message));
		expect(line?.message).toMatch(/0 dead-lettered, 2 discarded \(dead-lettering is off\)/);
		const labels = { stream: suite.stream.name, consumer: durable, workflow_id: 'wf-trigger-test' };
		expect(sampleValue(await scrape(), METRIC.messages, { ...labels, event: 'discarded' })).toBe(2);
	}, 40_000);

	it('logs nothing and writes its key every interval when nothing happens', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, { options: { statsInterval: 5 } });
		await pause(6_000);
		expect(trigger.fake.logs.filter((l) => /^JetStream Trigger, last/.test(l.message))).toHaveLength(0);
		expect(await triggerStatistics(durable)).toMatchObject({ triggers: 1, recent: { received: 0 } });
	}, 20_000);
});
