import { delimiter } from 'node:path';

import type { Registry } from 'prom-client';

import { BUCKET_EDGES_S, type Histogram } from '../execution/histogram';
import { addFigures, emptyFigures, type Figures } from '../stats/figures';

/**
 * The triggers' figures in n8n's own `/metrics` (`N8N_METRICS=true`). n8n serves prom-client's
 * global registry and loads community packages with its own module paths on NODE_PATH: this package
 * does not ship prom-client, so looking it up there finds n8n's copy and its registry. Without one
 * (tests outside n8n, a build without it) nothing is exported; the figures still go to the log and
 * the statistics bucket.
 *
 * The metrics are read from the triggers' own figures when Prometheus scrapes, never pushed per
 * message: a trigger running tens of thousands of messages a second pays nothing for them. Labels:
 * stream, consumer, workflow id, and the event or dead-letter reason — never payload data, so their
 * number stays bounded.
 */

export interface TriggerLabels {
	stream: string;
	consumer: string;
	workflow_id: string;
}

/** What a scrape reads from an active trigger. */
export interface TriggerReadings {
	/** Since the trigger started. */
	totals: Figures;
	pending?: number;
	up: boolean;
	lastMessageAt?: number;
}

export const METRIC = {
	messages: 'n8n_jetstream_trigger_messages_total',
	deadLetters: 'n8n_jetstream_trigger_dead_letters_total',
	latency: 'n8n_jetstream_trigger_latency_seconds',
	execution: 'n8n_jetstream_trigger_execution_seconds',
	pending: 'n8n_jetstream_trigger_pending_messages',
	up: 'n8n_jetstream_trigger_up',
	lastMessage: 'n8n_jetstream_trigger_last_message_timestamp_seconds',
} as const;

interface Source {
	labels: TriggerLabels;
	read(): TriggerReadings;
}

/**
 * Shared by every copy of this module in the process (n8n may load the package again after an
 * update): the metrics registered once read the triggers of whichever copy runs them.
 */
interface Shared {
	sources: Map<string, Source>;
	/** Totals of triggers that stopped, by label set: counters never go back while n8n runs. */
	retired: Map<string, { labels: TriggerLabels; totals: Figures }>;
	registered: boolean;
}

const SHARED = Symbol.for('n8n-nodes-jetstream.trigger-metrics');

function shared(): Shared {
	const holder = globalThis as unknown as Record<symbol, Shared | undefined>;
	holder[SHARED] ??= { sources: new Map(), retired: new Map(), registered: false };
	return holder[SHARED];
}

/** n8n's prom-client (from NODE_PATH) before any other copy a neighbouring package might bring. */
function loadRegistry(): Registry | undefined {
	const paths = (process.env.NODE_PATH ?? '').split(delimiter).filter((p) => p !== '');
	for (const lookup of [() => require.resolve('prom-client', { paths }), () => require.resolve('prom-client')]) {
		try {
			// Looked up at run time, never bundled: n8n's own copy is the one its /metrics serves.
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			return (require(lookup()) as typeof import('prom-client')).register;
		} catch {
			// Not there: try the next place; none at all means no metrics, which is allowed.
		}
	}
	return undefined;
}

const keyOf = (labels: TriggerLabels) => `${labels.workflow_id}\u0000${labels.stream}\u0000${labels.consumer}`;

/** Every label set's totals: its active triggers' and those of the ones that stopped. */
function totalsByLabels(state: Shared): Array<{ labels: TriggerLabels; totals: Figures }> {
	const out = new Map<string, { labels: TriggerLabels; totals: Figures }>();
	const add = (labels: TriggerLabels, totals: Figures) => {
		const key = keyOf(labels);
		const entry = out.get(key) ?? { labels, totals: emptyFigures() };
		addFigures(entry.totals, totals);
		out.set(key, entry);
	};
	for (const { labels, totals } of state.retired.values()) add(labels, totals);
	for (const source of state.sources.values()) add(source.labels, source.read().totals);
	return [...out.values()];
}

type Value = { value: number; labels: Record<string, string | number>; metricName?: string };

function histogramValues(name: string, labels: TriggerLabels, histogram: Histogram): Value[] {
	const values: Value[] = [];
	let cumulative = 0;
	BUCKET_EDGES_S.forEach((edge, i) => {
		cumulative += histogram.counts[i];
		values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: edge }, value: cumulative });
	});
	values.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: histogram.total });
	values.push({ metricName: `${name}_sum`, labels: { ...labels }, value: histogram.sumMs / 1000 });
	values.push({ metricName: `${name}_count`, labels: { ...labels }, value: histogram.total });
	return values;
}

/** One metric as prom-client's registry reads it at a scrape. */
function metric(name: string, help: string, type: 'counter' | 'gauge' | 'histogram', values: () => Value[]) {
	return { name, help, type, aggregator: 'sum' as const, get: async () => ({ name, help, type, aggregator: 'sum' as const, values: values() }), reset: () => undefined };
}

function register(registry: Registry, state: Shared): void {
	const events: Array<[string, (f: Figures) => number]> = [
		['received', (f) => f.received],
		['succeeded', (f) => f.succeeded],
		['failed', (f) => f.failed],
		['retried', (f) => f.retried],
		['duplicate_skipped', (f) => f.duplicatesSkipped],
		['discarded', (f) => f.discarded],
	];
	const gauge = (read: (r: TriggerReadings) => number | undefined) => () =>
		[...state.sources.values()].flatMap((s) => {
			const value = read(s.read());
			return value === undefined ? [] : [{ labels: { ...s.labels }, value }];
		});
	const metrics = [
		metric(METRIC.messages, 'Messages of JetStream Triggers by what happened to them: received, succeeded, failed, retried, duplicate_skipped, discarded (given up with dead-lettering off)', 'counter', () =>
			totalsByLabels(state).flatMap(({ labels, totals }) => events.map(([event, read]) => ({ labels: { ...labels, event }, value: read(totals) }))),
		),
		metric(METRIC.deadLetters, 'Messages JetStream Triggers gave up on, by reason (parse-error, decrypt-failed, schema-invalid, rejected, max-deliveries)', 'counter', () =>
			totalsByLabels(state).flatMap(({ labels, totals }) => Object.entries(totals.deadLettered).map(([reason, n]) => ({ labels: { ...labels, reason }, value: n ?? 0 }))),
		),
		metric(METRIC.latency, 'From a message being stored in its stream to the start of its execution', 'histogram', () =>
			totalsByLabels(state).flatMap(({ labels, totals }) => histogramValues(METRIC.latency, labels, totals.latency)),
		),
		metric(METRIC.execution, 'How long the executions of JetStream Triggers ran', 'histogram', () =>
			totalsByLabels(state).flatMap(({ labels, totals }) => histogramValues(METRIC.execution, labels, totals.execution)),
		),
		metric(METRIC.pending, 'Messages still to read by the consumer (its lag), as last reported by the server', 'gauge', gauge((r) => r.pending)),
		metric(METRIC.up, '1 while the trigger reads, 0 while its connection is down or it stopped with an error', 'gauge', gauge((r) => (r.up ? 1 : 0))),
		metric(METRIC.lastMessage, 'When the trigger last received a message (Unix time)', 'gauge', gauge((r) => (r.lastMessageAt === undefined ? undefined : r.lastMessageAt / 1000))),
	];
	for (const m of metrics) {
		// Registered by an earlier copy of this module: that one reads the same shared triggers.
		if (!registry.getSingleMetric(m.name)) registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0]);
	}
}

/**
 * Makes an active trigger's figures part of `/metrics`; returns the call that takes them out when it
 * stops (its gauges go, its totals stay in the counters). Does nothing without a prom-client.
 */
export function exportTriggerMetrics(labels: TriggerLabels, read: () => TriggerReadings): () => void {
	const state = shared();
	if (!state.registered) {
		const registry = loadRegistry();
		if (!registry) return () => undefined;
		register(registry, state);
		state.registered = true;
	}
	const id = `${keyOf(labels)}\u0000${Math.random()}`;
	state.sources.set(id, { labels, read });
	return () => {
		const source = state.sources.get(id);
		if (!source) return;
		state.sources.delete(id);
		const key = keyOf(labels);
		const retired = state.retired.get(key) ?? { labels, totals: emptyFigures() };
		addFigures(retired.totals, source.read().totals);
		state.retired.set(key, retired);
	};
}
