import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import type { TransportLogger } from '../transport/connect';

/**
 * Something a trigger needs that does not answer for a while: its connection, the idempotency
 * bucket, the schema registry, the dead-letter stream. Not a verdict on any message: the messages
 * that need it wait, kept by the trigger, and are tried again. It is said where a user looks, once
 * per outage: a warning when it starts, an error line and a failed execution in n8n's executions
 * list once it lasted long enough to matter (at once when it cannot heal by waiting alone, such as a
 * refused login), and a line when it answers again. The trigger stays registered meanwhile: n8n
 * would give up re-activating it after a few tries, and these outages end by themselves.
 */

export interface OutageReporting {
	logger: TransportLogger;
	/** Records a failed execution the user sees in n8n's executions list. */
	recordFailure(message: string, hint: string): void;
}

/** A trigger's outages go to n8n's log and, as failed executions, to the workflow's executions list. */
export function triggerReporting(ctx: Pick<ITriggerFunctions, 'getNode'> & Partial<Pick<ITriggerFunctions, 'saveFailedExecution'>>, logger: TransportLogger): OutageReporting {
	return {
		logger,
		recordFailure: (message, hint) => ctx.saveFailedExecution?.(new NodeOperationError(ctx.getNode(), message, { description: hint })),
	};
}

export interface RetrySpacing {
	baseDelayMs: number;
	maxDelayMs: number;
}

/** An outage shorter than this (a server restart, a failover) is only a warning. */
export const VISIBLE_AFTER_MS = 10_000;
/** Retries while it lasts are spaced by how long it has lasted, but never more than this apart. */
const MAX_OUTAGE_RETRY_MS = 30_000;
/** Up to this share of a retry delay is added at random, so waiting messages do not all return at once. */
const JITTER = 0.2;

export class Outage {
	private since?: number;

	private reported = false;

	private waits = 0;

	private lastError?: string;

	constructor(
		private readonly what: string,
		private readonly reporting: OutageReporting,
		private readonly spacing: RetrySpacing,
		private readonly hint: string,
		private readonly now: () => number = Date.now,
	) {}

	get active(): boolean {
		return this.since !== undefined;
	}

	/** It failed again. `urgent`: say so in full at once (waiting alone will not mend it). */
	failed(error: Error, urgent = false): void {
		this.waits++;
		this.lastError = error.message;
		if (this.since === undefined) {
			this.since = this.now();
			if (!urgent) this.reporting.logger.warn(`${this.what} cannot be reached (${error.message}); the messages that need it wait, kept by the trigger without using up their deliveries, and are tried again`);
		}
		if (!this.reported && (urgent || this.now() - this.since >= VISIBLE_AFTER_MS)) this.report();
	}

	/** It answers again. */
	ok(): void {
		if (this.since === undefined) return;
		const seconds = ((this.now() - this.since) / 1000).toFixed(1);
		this.reporting.logger.info(`${this.what} answers again after ${seconds} s (${this.waits} wait(s) meanwhile); resuming`);
		this.since = undefined;
		this.reported = false;
		this.waits = 0;
	}

	/** How long a message waits before it tries again: as long as the outage lasted so far, within bounds. */
	retryInMs(random = Math.random): number {
		const lasted = this.since === undefined ? 0 : this.now() - this.since;
		const delay = Math.min(MAX_OUTAGE_RETRY_MS, this.spacing.maxDelayMs, Math.max(this.spacing.baseDelayMs, lasted));
		return Math.round(delay * (1 + JITTER * random()));
	}

	private report(): void {
		this.reported = true;
		const seconds = Math.round((this.now() - (this.since ?? this.now())) / 1000);
		const message = `${this.what} ${seconds > 0 ? `has not answered for ${seconds} s` : 'refuses the trigger'}: ${this.lastError}`;
		this.reporting.logger.error(`${message}. The trigger stays active, keeps the messages that need it and goes on by itself once it answers`);
		this.reporting.recordFailure(message, this.hint);
	}
}
