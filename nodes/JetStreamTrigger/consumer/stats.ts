import type { DeadLetterReason } from '../../shared/deadLetter/envelope';
import type { Outcome } from '../../shared/execution/emitter';
import { addFigures, deadLetteredTotal, emptyFigures, type Figures } from '../../shared/stats/figures';

/**
 * What a trigger did, counted where its messages change state: received, its execution succeeded
 * or failed (per message), retried, dead-lettered (by reason) or discarded (dead-lettering off), skipped as a duplicate; how long
 * messages waited from being stored to their execution's start (end-to-end latency) and how long
 * executions ran. Kept since activation (`totals`) and per reporting window, for the log line, the
 * statistics bucket and Prometheus.
 */

/** What happens to messages, as the steps of the consume path tell it. */
export interface StatsEvents {
	received(pending: number): void;
	started(latencyMs: number): void;
	executed(outcome: Outcome, durationMs: number, messages: number): void;
	retried(): void;
	deadLettered(reason: DeadLetterReason): void;
	/** Given up with dead-lettering off. */
	discarded(): void;
	duplicateSkipped(): void;
}

/** How many reporting windows "recent" spans. */
export const RECENT_WINDOWS = 5;

export class TriggerStats implements StatsEvents {
	readonly since = Date.now();

	readonly totals = emptyFigures();

	/** Since the last report. */
	private current = emptyFigures();

	/** The last reported windows, newest last. */
	private readonly windows: Figures[] = [];

	/** The lag the server reported with the last message: messages still to read. */
	pending?: number;

	lastMessageAt?: number;

	lastSuccessAt?: number;

	received(pending: number): void {
		this.totals.received++;
		this.current.received++;
		this.pending = pending;
		this.lastMessageAt = Date.now();
	}

	started(latencyMs: number): void {
		this.totals.latency.observe(latencyMs);
		this.current.latency.observe(latencyMs);
	}

	executed(outcome: Outcome, durationMs: number, messages: number): void {
		for (const figures of [this.totals, this.current]) {
			figures.execution.observe(durationMs);
			if (outcome === 'success') figures.succeeded += messages;
			else figures.failed += messages;
		}
		if (outcome === 'success') this.lastSuccessAt = Date.now();
	}

	retried(): void {
		this.totals.retried++;
		this.current.retried++;
	}

	deadLettered(reason: DeadLetterReason): void {
		for (const figures of [this.totals, this.current]) figures.deadLettered[reason] = (figures.deadLettered[reason] ?? 0) + 1;
	}

	discarded(): void {
		this.totals.discarded++;
		this.current.discarded++;
	}

	duplicateSkipped(): void {
		this.totals.duplicatesSkipped++;
		this.current.duplicatesSkipped++;
	}

	/** Whether anything happened since the last report. */
	get quiet(): boolean {
		const c = this.current;
		return c.received + c.succeeded + c.failed + c.retried + c.duplicatesSkipped + c.discarded + deadLetteredTotal(c) === 0;
	}

	/** Closes the current window: returns it, and keeps it among the recent ones. */
	takeWindow(): Figures {
		const window = this.current;
		this.current = emptyFigures();
		this.windows.push(window);
		if (this.windows.length > RECENT_WINDOWS) this.windows.shift();
		return window;
	}

	/** The last few windows and the current one, added up. */
	recent(): Figures {
		return [...this.windows, this.current].reduce((sum, w) => addFigures(sum, w), emptyFigures());
	}
}
