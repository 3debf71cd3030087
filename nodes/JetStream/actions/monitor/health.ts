/**
 * How a consumer is doing, from what the server says of it and the dead letters it produced:
 *
 *   stalled  — messages wait (or are held) and nothing was delivered or acknowledged for a while:
 *              nobody reads, or the reader is stuck. A trigger that stopped consuming, for any reason.
 *   failing  — messages are given up (dead letters in the window) or keep coming back (redelivered).
 *   lagging  — more messages wait than the threshold: the reader is behind.
 *   ok       — none of these.
 *
 * The first that applies is the status; `reasons` names every one that applies, in words.
 */

export type HealthStatus = 'ok' | 'lagging' | 'stalled' | 'failing';

export interface HealthFacts {
	pending: number;
	ackPending: number;
	redelivered: number;
	/** Pull requests waiting at the server: someone is asking for messages. */
	waiting: number;
	/** From servers 2.10+; undefined on older ones. */
	lastDeliveredAt?: number;
	lastAckedAt?: number;
	paused: boolean;
	/** Dead letters of this consumer within the window; undefined when they could not be counted. */
	deadLetters?: number;
	now: number;
}

export interface HealthThresholds {
	/** Lagging from this many pending messages. */
	laggingAt: number;
	/** Stalled after this long without a delivery or an acknowledgement while messages wait. */
	stalledAfterMs: number;
	/** Failing from this many dead letters in the window (0 = never for dead letters). */
	failingAtDeadLetters: number;
	/** Failing from this many messages being redelivered (0 = never for redeliveries). */
	failingAtRedelivered: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = { laggingAt: 1_000, stalledAfterMs: 60_000, failingAtDeadLetters: 1, failingAtRedelivered: 100 };

export function classify(facts: HealthFacts, thresholds: HealthThresholds): { status: HealthStatus; reasons: string[] } {
	const reasons: Array<[HealthStatus, string]> = [];
	const stalled = stalledReason(facts, thresholds);
	if (stalled) reasons.push(['stalled', stalled]);
	if (thresholds.failingAtDeadLetters > 0 && (facts.deadLetters ?? 0) >= thresholds.failingAtDeadLetters) {
		reasons.push(['failing', `${facts.deadLetters} message(s) dead-lettered in the window`]);
	}
	if (thresholds.failingAtRedelivered > 0 && facts.redelivered >= thresholds.failingAtRedelivered) {
		reasons.push(['failing', `${facts.redelivered} message(s) are being delivered again after failing or timing out`]);
	}
	if (facts.pending >= thresholds.laggingAt) reasons.push(['lagging', `${facts.pending} message(s) wait to be read (threshold ${thresholds.laggingAt})`]);
	const order: HealthStatus[] = ['stalled', 'failing', 'lagging'];
	const status = order.find((s) => reasons.some(([r]) => r === s)) ?? 'ok';
	return { status, reasons: reasons.map(([, text]) => text) };
}

function stalledReason(facts: HealthFacts, thresholds: HealthThresholds): string | undefined {
	// Paused on purpose: not moving is what it was asked to do.
	if (facts.paused || facts.pending + facts.ackPending === 0) return undefined;
	const activity = Math.max(facts.lastDeliveredAt ?? 0, facts.lastAckedAt ?? 0);
	if (activity > 0) {
		const idleMs = facts.now - activity;
		if (idleMs < thresholds.stalledAfterMs) return undefined;
		return `${facts.pending + facts.ackPending} message(s) wait, and nothing was delivered or acknowledged for ${Math.round(idleMs / 1000)} s`;
	}
	// A server that does not say when it last delivered (2.9): nobody asks and nobody holds a message.
	if (facts.waiting === 0 && facts.ackPending === 0) return `${facts.pending} message(s) wait and no reader is asking for them`;
	return undefined;
}
