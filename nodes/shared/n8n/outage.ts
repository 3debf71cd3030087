import { NodeOperationError, type ITriggerFunctions } from 'n8n-workflow';

import { jittered } from '../execution/jitter';
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

/**
 * The trigger's connection, as the other outages see it: while it is down, a bucket or stream behind
 * it not answering is its consequence, not news — said by the connection's outage alone, and timed
 * from the moment the connection is back.
 */
export class ConnectionHealth {
	down = false;

	/** When the connection last came back (ms since epoch). */
	upSince = 0;
}

export interface OutageReporting {
	logger: TransportLogger;
	/** Records a failed execution the user sees in n8n's executions list. */
	recordFailure(message: string, hint: string): void;
	/** Absent for the connection's own outage. */
	connection?: ConnectionHealth;
}

/**
 * A trigger's outages go to n8n's log and, as failed executions, to the workflow's executions list —
 * until `close()`: a deactivated workflow records nothing more.
 */
export function triggerReporting(
	ctx: Pick<ITriggerFunctions, 'getNode'> & Partial<Pick<ITriggerFunctions, 'saveFailedExecution'>>,
	logger: TransportLogger,
	connection?: ConnectionHealth,
): OutageReporting & { close(): void } {
	let closed = false;
	return {
		logger,
		connection,
		recordFailure: (message, hint) => {
			if (!closed) ctx.saveFailedExecution?.(new NodeOperationError(ctx.getNode(), message, { description: hint }));
		},
		close: () => {
			closed = true;
		},
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

export class Outage {
	private since?: number;

	/** Whether its start was said (an outage that began while the connection was down is not). */
	private announced = false;

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

	/** It failed again. `urgent`: say so in full at once (waiting alone will not mend it). */
	failed(error: Error, urgent = false): void {
		this.waits++;
		this.lastError = error.message;
		const now = this.now();
		this.since ??= now;
		const connection = this.reporting.connection;
		if (connection?.down) return;
		// Timed from the reconnect: what failed while the connection was down was its consequence.
		if (connection && this.since < connection.upSince) this.since = connection.upSince;
		if (!this.announced && !urgent) {
			this.reporting.logger.warn(`${this.what} cannot be reached (${error.message}); the messages that need it wait, kept by the trigger without using up their deliveries, and are tried again`);
		}
		this.announced = true;
		if (!this.reported && (urgent || now - this.since >= VISIBLE_AFTER_MS)) this.report();
	}

	/** It answers again. */
	ok(): void {
		if (this.since === undefined) return;
		if (this.announced) {
			const seconds = ((this.now() - this.since) / 1000).toFixed(1);
			this.reporting.logger.info(`${this.what} answers again after ${seconds} s (${this.waits} wait(s) meanwhile); resuming`);
		}
		this.since = undefined;
		this.announced = false;
		this.reported = false;
		this.waits = 0;
	}

	/** How long a message waits before it tries again: as long as the outage lasted so far, within bounds. */
	retryInMs(random = Math.random): number {
		const lasted = this.since === undefined ? 0 : this.now() - this.since;
		return jittered(Math.min(MAX_OUTAGE_RETRY_MS, this.spacing.maxDelayMs, Math.max(this.spacing.baseDelayMs, lasted)), random);
	}

	private report(): void {
		this.reported = true;
		const seconds = Math.round((this.now() - (this.since ?? this.now())) / 1000);
		const message = `${this.what} ${seconds > 0 ? `has not answered for ${seconds} s` : 'refuses the trigger'}: ${this.lastError}`;
		this.reporting.logger.error(`${message}. The trigger stays active, keeps the messages that need it and goes on by itself once it answers`);
		this.reporting.recordFailure(message, this.hint);
	}
}
