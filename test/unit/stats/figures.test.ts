import { Histogram, BUCKET_EDGES_S } from '../../../nodes/shared/execution/histogram';
import { aggregate, figuresToJson, type StatsEntry } from '../../../nodes/shared/stats/entry';
import { summaryLine } from '../../../nodes/JetStreamTrigger/consumer/statsReporter';
import { TriggerStats } from '../../../nodes/JetStreamTrigger/consumer/stats';

/** Figures the trigger keeps: counts per event, histograms that add up, one log line. */

describe('Histogram', () => {
	it('reads percentiles inside their bucket, and adds up bucket by bucket', () => {
		const h = new Histogram();
		for (let i = 0; i < 90; i++) h.observe(3); // 2.5–5 ms
		for (let i = 0; i < 10; i++) h.observe(700); // 0.5–1 s
		expect(h.total).toBe(100);
		const { p50, p95, p99 } = h.percentiles();
		expect(p50).toBeGreaterThan(2.5);
		expect(p50).toBeLessThanOrEqual(5);
		expect(p95).toBeGreaterThan(500);
		expect(p99).toBeLessThanOrEqual(1_000);
		const other = new Histogram(h.counts);
		other.add(h);
		expect(other.total).toBe(200);
		expect(other.percentiles()).toEqual(h.percentiles());
		expect(new Histogram().quantileMs(0.5)).toBeUndefined();
		expect(h.counts).toHaveLength(BUCKET_EDGES_S.length + 1);
	});

	it('puts what lasted longer than the last edge in the last bucket', () => {
		const h = new Histogram();
		h.observe(2 * 3_600_000);
		expect(h.counts.at(-1)).toBe(1);
		expect(h.quantileMs(0.5)).toBe(3_600_000);
	});
});

describe('TriggerStats', () => {
	it('counts each event once in the totals and in the current window', () => {
		const stats = new TriggerStats();
		expect(stats.quiet).toBe(true);
		stats.received(7);
		stats.started(12);
		stats.executed('success', 40, 2);
		stats.executed('failure', 10, 1);
		stats.retried();
		stats.deadLettered('max-deliveries');
		stats.duplicateSkipped();
		stats.discarded();
		expect(stats.quiet).toBe(false);
		expect(stats.pending).toBe(7);
		const window = stats.takeWindow();
		expect(window).toMatchObject({ received: 1, succeeded: 2, failed: 1, retried: 1, duplicatesSkipped: 1, deadLettered: { 'max-deliveries': 1 }, discarded: 1 });
		expect(window.execution.total).toBe(2);
		expect(window.execution.sumMs).toBe(50);
		expect(stats.quiet).toBe(true);
		stats.received(3);
		expect(stats.totals.received).toBe(2);
		expect(stats.recent().received).toBe(2);
		expect(stats.totals.latency.total).toBe(1);
	});

	it('writes one line of a window: counts, reasons, percentiles and the lag, nothing of any payload', () => {
		const stats = new TriggerStats();
		stats.received(17);
		stats.executed('success', 30, 1);
		stats.deadLettered('parse-error');
		const line = summaryLine(stats.takeWindow(), 60, stats.pending);
		expect(line).toMatch(/^JetStream Trigger, last 60 s: 1 received, 1 succeeded, 0 failed, 0 retried, 1 dead-lettered \(parse-error 1\), 0 duplicate\(s\) skipped; latency p50 –, p95 –, p99 –; execution p50 [\d.]+ ms/);
		expect(line).toMatch(/; 17 pending$/);
	});
});

describe('aggregate', () => {
	it('adds up the triggers reading one consumer: counts, histograms, the highest lag, the latest times', () => {
		const entry = (instance: string, received: number, pending: number, lastMessageAt: string): StatsEntry => {
			const stats = new TriggerStats();
			for (let i = 0; i < received; i++) stats.received(pending);
			stats.executed('success', 20, received);
			stats.takeWindow();
			return {
				stream: 'S', consumer: 'c', workflowId: 'w', workflowName: 'W', node: 'T', instance, intervalSeconds: 60, recentSeconds: 300,
				activeSince: lastMessageAt, updatedAt: lastMessageAt, up: instance === 'a', pending, lastMessageAt,
				recent: figuresToJson(stats.recent()), totals: figuresToJson(stats.totals),
			};
		};
		const out = aggregate([entry('a', 3, 5, '2026-12-03T10:00:00.000Z'), entry('b', 2, 9, '2026-12-03T10:01:00.000Z')]);
		expect(out).toMatchObject({ triggers: 2, triggersUp: 1, pending: 9, lastMessageAt: '2026-12-03T10:01:00.000Z', recent: { received: 5, succeeded: 5 }, totals: { received: 5 } });
		expect(out.recent.executionMs.p50).toBeGreaterThan(10);
		expect(out.instances.map((i) => i.instance)).toEqual(['a', 'b']);
		expect(aggregate([])).toMatchObject({ triggers: 0, pending: null, lastMessageAt: null });
	});
});
