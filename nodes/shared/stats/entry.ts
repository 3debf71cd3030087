import type { DeadLetterReason } from '../deadLetter/envelope';
import { Histogram } from '../execution/histogram';
import { addFigures, deadLetteredTotal, emptyFigures, type Figures } from './figures';

/**
 * What one active trigger writes to the statistics bucket every interval, under its own key, and
 * how the entries of the triggers reading one consumer add up (Monitor → Trigger Statistics).
 */

export interface FiguresJson {
	received: number;
	succeeded: number;
	failed: number;
	retried: number;
	duplicatesSkipped: number;
	deadLettered: Partial<Record<DeadLetterReason, number>>;
	discarded: number;
	/** Counts per bucket (edges: BUCKET_EDGES_S, then everything above). */
	latencyBuckets: number[];
	executionBuckets: number[];
}

export interface StatsEntry {
	stream: string;
	consumer: string;
	workflowId: string;
	workflowName: string;
	node: string;
	/** One activation of the trigger (several n8n instances, or a restart, write apart). */
	instance: string;
	intervalSeconds: number;
	/** "recent" spans this long (a few intervals). */
	recentSeconds: number;
	activeSince: string;
	updatedAt: string;
	/** Reading, or not (its connection is down, or it stopped with an error). */
	up: boolean;
	pending?: number;
	lastMessageAt?: string;
	lastSuccessAt?: string;
	recent: FiguresJson;
	totals: FiguresJson;
}

export function figuresToJson(figures: Figures): FiguresJson {
	return {
		received: figures.received,
		succeeded: figures.succeeded,
		failed: figures.failed,
		retried: figures.retried,
		duplicatesSkipped: figures.duplicatesSkipped,
		deadLettered: { ...figures.deadLettered },
		discarded: figures.discarded,
		latencyBuckets: [...figures.latency.counts],
		executionBuckets: [...figures.execution.counts],
	};
}

export function figuresFromJson(json: Partial<FiguresJson> | undefined): Figures {
	const figures = emptyFigures();
	if (!json) return figures;
	figures.received = Number(json.received ?? 0);
	figures.succeeded = Number(json.succeeded ?? 0);
	figures.failed = Number(json.failed ?? 0);
	figures.retried = Number(json.retried ?? 0);
	figures.duplicatesSkipped = Number(json.duplicatesSkipped ?? 0);
	figures.deadLettered = { ...(json.deadLettered ?? {}) };
	figures.discarded = Number(json.discarded ?? 0);
	figures.latency = new Histogram(json.latencyBuckets);
	figures.execution = new Histogram(json.executionBuckets);
	return figures;
}

/** `<stream>.<consumer>.<workflow>-<instance>`: a consumer's triggers are read with one key filter. */
export function statsKey(entry: Pick<StatsEntry, 'stream' | 'consumer' | 'workflowId' | 'instance'>): string {
	const safe = (s: string) => s.replace(/[^-\w=]/g, '_');
	return `${entry.stream}.${entry.consumer}.${safe(entry.workflowId)}-${entry.instance}`;
}

/** Figures as a workflow reads them: counts, and percentiles instead of bucket counts. */
export function figuresOutput(figures: Figures) {
	return {
		received: figures.received,
		succeeded: figures.succeeded,
		failed: figures.failed,
		retried: figures.retried,
		duplicatesSkipped: figures.duplicatesSkipped,
		deadLettered: deadLetteredTotal(figures),
		deadLetteredByReason: { ...figures.deadLettered },
		discarded: figures.discarded,
		latencyMs: figures.latency.percentiles(),
		executionMs: figures.execution.percentiles(),
	};
}

/** The triggers reading one consumer, added up: what they did lately and since each started. */
export function aggregate(entries: StatsEntry[]) {
	const recent = entries.reduce((sum, e) => addFigures(sum, figuresFromJson(e.recent)), emptyFigures());
	const totals = entries.reduce((sum, e) => addFigures(sum, figuresFromJson(e.totals)), emptyFigures());
	const latest = (values: Array<string | undefined>) => values.filter((v): v is string => !!v).sort().at(-1) ?? null;
	const pendings = entries.map((e) => e.pending).filter((p): p is number => typeof p === 'number');
	return {
		triggers: entries.length,
		triggersUp: entries.filter((e) => e.up).length,
		recentSeconds: Math.max(0, ...entries.map((e) => e.recentSeconds)),
		recent: figuresOutput(recent),
		totals: figuresOutput(totals),
		pending: pendings.length > 0 ? Math.max(...pendings) : null,
		lastMessageAt: latest(entries.map((e) => e.lastMessageAt)),
		lastSuccessAt: latest(entries.map((e) => e.lastSuccessAt)),
		instances: entries.map((e) => ({
			workflowId: e.workflowId,
			workflowName: e.workflowName,
			node: e.node,
			instance: e.instance,
			up: e.up,
			activeSince: e.activeSince,
			updatedAt: e.updatedAt,
			pending: e.pending ?? null,
			recent: figuresOutput(figuresFromJson(e.recent)),
		})),
	};
}
