import { randomBytes } from 'node:crypto';

import type { ITriggerFunctions } from 'n8n-workflow';

import { forFeature } from '../../shared/errorMapping';
import { PermissionError } from '../../shared/errors';
import type { Ticker } from '../../shared/execution/ticker';
import { exportTriggerMetrics } from '../../shared/n8n/prometheus';
import { StatsBucket } from '../../shared/stats/bucket';
import { figuresToJson, type StatsEntry } from '../../shared/stats/entry';
import { deadLetteredTotal, type Figures } from '../../shared/stats/figures';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import type { ConsumerFacts } from '../../shared/transport/consume';
import type { StatsSettings, TriggerSettings } from '../settings';
import { RECENT_WINDOWS, TriggerStats } from './stats';

/** Who writes: the trigger's place in n8n and in JetStream. */
export interface StatsIdentity {
	stream: string;
	consumer: string;
	workflowId: string;
	workflowName: string;
	node: string;
}

const ms = (value: number | undefined) => (value === undefined ? '–' : `${value} ms`);

/** One line of what the trigger did in a window, without payload data. */
export function summaryLine(figures: Figures, seconds: number, pending: number | undefined): string {
	const dead = deadLetteredTotal(figures);
	const reasons = Object.entries(figures.deadLettered).map(([reason, n]) => `${reason} ${n}`).join(', ');
	const latency = figures.latency.percentiles();
	const execution = figures.execution.percentiles();
	return (
		`JetStream Trigger, last ${seconds} s: ${figures.received} received, ${figures.succeeded} succeeded, ${figures.failed} failed, ` +
		`${figures.retried} retried, ${dead} dead-lettered${dead > 0 ? ` (${reasons})` : ''}, ${figures.discarded > 0 ? `${figures.discarded} discarded (dead-lettering is off), ` : ''}${figures.duplicatesSkipped} duplicate(s) skipped; ` +
		`latency p50 ${ms(latency.p50)}, p95 ${ms(latency.p95)}, p99 ${ms(latency.p99)}; ` +
		`execution p50 ${ms(execution.p50)}, p95 ${ms(execution.p95)}, p99 ${ms(execution.p99)}` +
		(pending === undefined ? '' : `; ${pending} pending`)
	);
}

/**
 * Every interval: a log line when something happened, and the figures written to the statistics
 * bucket under the trigger's own key (always, so a live trigger's key never ages out). The bucket is
 * opened at the first report, so activation costs nothing; a refused right turns the writing off
 * with one warning, an unreachable bucket is tried again at the next interval.
 */
export class StatsReporter {
	private readonly instance = randomBytes(4).toString('hex');

	private readonly activeSince = new Date().toISOString();

	private bucket?: Promise<StatsBucket | undefined>;

	private writing = false;

	private writeFailing = false;

	private stopTicks?: () => void;

	constructor(
		private readonly stats: TriggerStats,
		private readonly client: NatsClient,
		private readonly identity: StatsIdentity,
		private readonly settings: StatsSettings,
		private readonly logger: TransportLogger,
		private readonly up: () => boolean,
	) {}

	start(ticker: Ticker): void {
		this.stopTicks = ticker.every(this.settings.intervalMs, () => void this.report());
	}

	/** The last window's line, and the trigger's key removed: it no longer reads. */
	async close(): Promise<void> {
		this.stopTicks?.();
		if (!this.stats.quiet) this.logger.info(summaryLine(this.stats.takeWindow(), Math.round(this.settings.intervalMs / 1000), this.stats.pending));
		const bucket = await this.bucket;
		await bucket?.remove(this.entry()).catch((error: unknown) => this.logger.debug(`Could not remove the trigger's statistics key: ${(error as Error).message}`));
	}

	private async report(): Promise<void> {
		const seconds = Math.round(this.settings.intervalMs / 1000);
		const quiet = this.stats.quiet;
		const window = this.stats.takeWindow();
		if (!quiet) this.logger.info(summaryLine(window, seconds, this.stats.pending));
		if (!this.settings.bucket || this.writing) return;
		this.writing = true;
		try {
			await this.write();
		} finally {
			this.writing = false;
		}
	}

	private async write(): Promise<void> {
		this.bucket ??= this.open();
		const bucket = await this.bucket;
		if (!bucket) return;
		try {
			await bucket.write(this.entry());
			if (this.writeFailing) this.logger.info(`The trigger's statistics are written to bucket "${bucket.name}" again`);
			this.writeFailing = false;
		} catch (error) {
			if (this.refused(error, bucket.name)) {
				this.bucket = Promise.resolve(undefined);
				return;
			}
			if (!this.writeFailing) this.logger.warn(`Could not write the trigger's statistics to bucket "${bucket.name}" (${(error as Error).message}); trying again at the next interval`);
			this.writeFailing = true;
		}
	}

	/** A refused right turns the writing off for good, with one warning that names it. */
	private refused(error: unknown, name: string): boolean {
		const refused = forFeature(error, 'the trigger\'s statistics');
		if (!(refused instanceof PermissionError)) return false;
		this.logger.warn(`${refused.message}; the trigger's statistics are logged and in n8n's /metrics, but not written to bucket "${name}" (clear "Statistics Bucket" to say so)`);
		return true;
	}

	private async open(): Promise<StatsBucket | undefined> {
		const name = this.settings.bucket!;
		try {
			return await StatsBucket.open(this.client, name, true);
		} catch (error) {
			if (this.refused(error, name)) return undefined;
			this.logger.warn(`Could not open the statistics bucket "${name}" (${(error as Error).message}); trying again at the next interval`);
			// Not settled: the next interval opens it again.
			this.bucket = undefined;
			return undefined;
		}
	}

	private entry(): StatsEntry {
		const { stats } = this;
		const iso = (at: number | undefined) => (at === undefined ? undefined : new Date(at).toISOString());
		return {
			...this.identity,
			instance: this.instance,
			intervalSeconds: Math.round(this.settings.intervalMs / 1000),
			recentSeconds: Math.round((this.settings.intervalMs * RECENT_WINDOWS) / 1000),
			activeSince: this.activeSince,
			updatedAt: new Date().toISOString(),
			up: this.up(),
			pending: stats.pending,
			lastMessageAt: iso(stats.lastMessageAt),
			lastSuccessAt: iso(stats.lastSuccessAt),
			recent: figuresToJson(stats.recent()),
			totals: figuresToJson(stats.totals),
		};
	}
}

export interface ObservedTrigger {
	stats: TriggerStats;
	/** The last line, the key removed, the gauges gone. */
	close(): Promise<void>;
}

/**
 * The trigger's figures, wired to where they are read: the log line and the statistics bucket every
 * interval, and n8n's /metrics. A test run counts nothing anywhere.
 */
export function observeTrigger(
	ctx: Pick<ITriggerFunctions, 'getWorkflow' | 'getNode'>,
	client: NatsClient,
	settings: TriggerSettings,
	facts: Pick<ConsumerFacts, 'stream' | 'name'>,
	logger: TransportLogger,
	ticker: Ticker,
	up: () => boolean,
): ObservedTrigger {
	if (settings.manual) return { stats: new TriggerStats(), close: async () => undefined };
	const workflow = ctx.getWorkflow();
	const workflowId = String(workflow.id ?? '');
	const stats = new TriggerStats();
	const unexport = exportTriggerMetrics({ stream: facts.stream, consumer: facts.name, workflow_id: workflowId }, () => ({
		totals: stats.totals,
		pending: stats.pending,
		up: up(),
		lastMessageAt: stats.lastMessageAt,
	}));
	const identity = { stream: facts.stream, consumer: facts.name, workflowId, workflowName: String(workflow.name ?? ''), node: ctx.getNode().name };
	const reporter = new StatsReporter(stats, client, identity, settings.stats, logger, up);
	reporter.start(ticker);
	return {
		stats,
		close: async () => {
			unexport();
			await reporter.close();
		},
	};
}
