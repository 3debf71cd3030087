import type { IBinaryData } from 'n8n-workflow';

import type { DecodedPayload } from '../../shared/payload/decode';
import type { Delivery } from '../../shared/transport/delivery';

/**
 * Hook points for schema validation, idempotency and dead-lettering. The trigger runs each message
 * through decode → guard.check → emit → settle → guard.processed / guard.failed (or abandon, when an
 * Acknowledge node's answer may still come); the defaults do nothing, so each feature plugs in
 * without touching the consume loop.
 */

export interface DecodedMessage {
	/** The newest delivery of the message (a redelivered copy replaces the older one). */
	readonly delivery: Delivery;
	readonly payload: DecodedPayload;
	/** Added by a guard for the workflow to see, e.g. schema violations when they are passed on. */
	annotations?: Record<string, unknown>;
	/** Object store trigger: the object's bytes as n8n binary data, or why there are none. */
	content?: AttachedContent;
}

export type AttachedContent = { binary: IBinaryData } | { missing: string };

/** Reads what a message points at (an object's bytes) before its execution; answers like a guard. */
export interface ContentAttacher {
	attach(message: DecodedMessage): Promise<GuardVerdict>;
}

export type GuardVerdict =
	| { action: 'process' }
	/** Already handled (idempotency): acknowledged without running the workflow. */
	| { action: 'skip'; reason: string }
	/**
	 * Not now, and not the message's fault: its key is being processed elsewhere, or a store the check
	 * needs is unreachable (`outage`). The message is kept (no delivery used up) and looked at again.
	 */
	| { action: 'wait'; reason: string; retryInMs: number; outage?: boolean }
	/**
	 * The server refused a right the check needs: retrying cannot help, so the trigger stops with the
	 * error (which names the subject and the feature) and the message goes back unharmed.
	 */
	| { action: 'refused'; error: Error }
	/** Can never succeed (schema violation): dead-lettered and terminated. */
	| { action: 'reject'; error: Error; kind: DeadLetterKind };

export interface MessageGuard {
	/** Never throws for an unreachable store: that is a `wait` verdict with `outage`. */
	check(message: DecodedMessage): Promise<GuardVerdict>;
	/** After the workflow handled the message successfully, e.g. to record its idempotency key. */
	processed(message: DecodedMessage): Promise<void>;
	/** After the execution failed, or the message was handed back: e.g. give the idempotency key back. */
	failed(message: DecodedMessage): Promise<void>;
	/** The execution did not report in time and may still be running: keep its key until its lease ends. */
	timedOut(message: DecodedMessage): void;
	/**
	 * "Later in the workflow": the execution ended and no Acknowledge answer was seen (yet). Its answer
	 * may still be on its way (from a worker, through another server): keep the key for `lateAnswer`.
	 */
	abandon(message: DecodedMessage): void;
	/** An Acknowledge node's answer for a message the trigger no longer holds. */
	lateAnswer(sequence: number, kind: 'ack' | 'nak' | 'term'): Promise<void>;
}

/**
 * Why a message is given up: cannot be parsed, fails its schema, the workflow declared it a permanent
 * failure, or its last allowed delivery failed.
 */
export type DeadLetterKind = 'poison' | 'decrypt' | 'invalid' | 'rejected' | 'exhausted';

/** What the dead-letter sink did: stored the copy, failed to (and why), or is switched off. */
export type DeadLetterStatus = { status: 'stored' } | { status: 'disabled' } | { status: 'failed'; error: Error };

export interface DeadLetterDetails {
	kind: DeadLetterKind;
	error: Error;
	failedNode?: string;
	/** When the failed execution started (ISO 8601): with the workflow, it finds the execution in n8n. */
	executionStartedAt?: string;
}

export interface DeadLetterSink {
	/** Stores a copy of a message that will not be retried. Never answers the message itself. */
	send(delivery: Delivery, details: DeadLetterDetails): Promise<DeadLetterStatus>;
}

export const passThroughGuard: MessageGuard = {
	check: async () => ({ action: 'process' }),
	processed: async () => undefined,
	failed: async () => undefined,
	timedOut: () => undefined,
	abandon: () => undefined,
	lateAnswer: async () => undefined,
};

export const noDeadLetter: DeadLetterSink = {
	send: async () => ({ status: 'disabled' }),
};

/** Runs several guards in order; the first verdict other than "process" wins. */
export function chainGuards(guards: MessageGuard[]): MessageGuard {
	if (guards.length === 0) return passThroughGuard;
	if (guards.length === 1) return guards[0];
	return {
		async check(message) {
			for (const guard of guards) {
				const verdict = await guard.check(message);
				if (verdict.action !== 'process') return verdict;
			}
			return { action: 'process' };
		},
		processed: async (message) => {
			for (const guard of guards) await guard.processed(message);
		},
		failed: async (message) => {
			for (const guard of guards) await guard.failed(message);
		},
		timedOut: (message) => guards.forEach((guard) => guard.timedOut(message)),
		abandon: (message) => guards.forEach((guard) => guard.abandon(message)),
		lateAnswer: async (sequence, kind) => {
			for (const guard of guards) await guard.lateAnswer(sequence, kind);
		},
	};
}
