import type { DeadLetterReason } from '../deadLetter/envelope';
import { Histogram } from '../execution/histogram';

/**
 * A trigger's figures over some time: what happened to its messages, and two histograms. They add
 * up — windows into "recent", instances of several n8n into one consumer's figures.
 */

export interface Figures {
	received: number;
	succeeded: number;
	failed: number;
	retried: number;
	duplicatesSkipped: number;
	deadLettered: Partial<Record<DeadLetterReason, number>>;
	/** Given up without a dead-letter copy (dead-lettering is off): the consumer will not deliver them again. */
	discarded: number;
	/** Stored → execution start, per message. */
	latency: Histogram;
	/** Execution time, per execution. */
	execution: Histogram;
}

export function emptyFigures(): Figures {
	return { received: 0, succeeded: 0, failed: 0, retried: 0, duplicatesSkipped: 0, deadLettered: {}, discarded: 0, latency: new Histogram(), execution: new Histogram() };
}

export function addFigures(into: Figures, other: Figures): Figures {
	into.received += other.received;
	into.succeeded += other.succeeded;
	into.failed += other.failed;
	into.retried += other.retried;
	into.duplicatesSkipped += other.duplicatesSkipped;
	into.discarded += other.discarded;
	for (const [reason, n] of Object.entries(other.deadLettered) as Array<[DeadLetterReason, number]>) into.deadLettered[reason] = (into.deadLettered[reason] ?? 0) + n;
	into.latency.add(other.latency);
	into.execution.add(other.execution);
	return into;
}

export function deadLetteredTotal(figures: Figures): number {
	return Object.values(figures.deadLettered).reduce((sum, n) => sum + (n ?? 0), 0);
}
