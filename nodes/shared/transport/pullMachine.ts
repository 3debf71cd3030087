/**
 * When the trigger's pull requests are sent, as a state machine without I/O (pull.ts puts it on the
 * wire, the consume loop decides how much to ask for):
 *
 *              request(n)                 everything asked arrived or expired
 *     idle ───────────────▶ asking ───────────────────────────────────────────▶ idle
 *      ▲ ▲                   │   ▲
 *      │ │      silent for   │   │ heard from meanwhile (a busy event loop, not a lost request)
 *      │ │   two heartbeats, ▼   │
 *      │ │   a 503, a 400 ─▶ checking ─── consumer or stream gone ──▶ gone ──resume()──▶ idle
 *      │ │                   │
 *      │ └───────────────────┤ the consumer is there, nothing heard: what was asked is lost
 *      │                     │ (after a 503, or when the server could not tell: back off first)
 *      │                     ▼
 *      └────── timer ──── backingOff ◀─── a 409 without a count (a limit, a leadership change)
 *
 *     disconnected ── reconnected ──▶ idle      (from any state but gone and closed)
 *
 * Every way into `idle` tells the caller (`credit`, or the delivered message itself), which asks
 * again when it has room, and the watchdog tells it again every second while idle: there is no
 * state in which nothing is asked, nothing is on its way, and nobody will ask. How many are asked
 * for and still on their way is counted apart (`Outstanding`).
 */

import { limitsAfterRefusal, Outstanding, type PullLimits } from './pullLimits';

export type PullState = 'idle' | 'asking' | 'checking' | 'backingOff' | 'disconnected' | 'gone' | 'closed';

/** What the consumer check found; `limits` are the consumer's current ones when it could read them. */
export type CheckResult = { status: 'ok'; limits?: PullLimits } | { status: 'consumerGone' } | { status: 'streamGone' } | { status: 'unknown'; error?: Error };

/**
 * What the puller tells the caller. `refused`: the consumer refuses the requests for good (the trigger
 * stops); `error`: a fault of our own (a handler threw), logged, never allowed to stop the reader.
 */
export type PullReport =
	| { type: 'consumerGone' | 'streamGone'; description: string }
	| { type: 'refused'; description: string }
	| { type: 'warning' | 'debug' | 'error'; description: string };

export interface PullEffects {
	/** Writes one pull request. */
	send(batch: number, limits: PullLimits, pinId: string | undefined): void;
	/** Looks the consumer up; the answer comes back through `checked()`. */
	check(): void;
	/** Runs `fn` after `ms`; returns the cancel. */
	after(ms: number, fn: () => void): () => void;
	/** The caller may ask again. */
	credit(): void;
	report(report: PullReport): void;
	now(): number;
}

/** The first pause after a refusal or an unanswered check; it doubles with each one in a row. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
/** After "no responders" (a leader election, JetStream restarting): look the consumer up, then wait this long. */
const NO_RESPONDERS_PAUSE_MS = 1_000;
/** A check that has not answered in this long counts as unanswered (the lookup has its own, shorter timeout). */
const CHECK_TIMEOUT_MS = 15_000;
/** The same refusal this many times in a row, with nothing left to adapt: the consumer will not take our requests. */
const REFUSALS_BEFORE_GIVING_UP = 5;

export class PullMachine {
	private current: PullState = 'idle';

	readonly outstanding = new Outstanding();

	private lastHeard: number;

	private heardSinceCheck = false;

	private checkStarted = 0;

	/** A 503 came while checking (or started the check): wait a moment before asking again. */
	private noRespondersSeen = false;

	/** Refusals and unanswered checks in a row: each doubles the pause; a delivered message resets it. */
	private streak = 0;

	private sameRefusal = { description: '', count: 0 };

	private cancelTimer?: () => void;

	/** The pin the server gave this reader of a one-reader group (pull.ts releases it at close). */
	pin?: string;

	constructor(
		private limits: PullLimits,
		private readonly effects: PullEffects,
	) {
		this.lastHeard = effects.now();
	}

	get state(): PullState {
		return this.current;
	}

	/** The caller asks for `count` more messages; only sent while idle or asking (otherwise `credit` comes later). */
	request(count: number): void {
		if ((this.current !== 'idle' && this.current !== 'asking') || count <= 0) return;
		if (this.outstanding.value === 0) this.lastHeard = this.effects.now();
		let left = Math.floor(count);
		while (left > 0) {
			const batch = this.limits.maxBatch > 0 ? Math.min(left, this.limits.maxBatch) : left;
			left -= batch;
			this.outstanding.add(batch);
			this.effects.send(batch, this.limits, this.limits.pinned ? this.pin : undefined);
		}
		this.current = 'asking';
	}

	/**
	 * A message arrived (`pinId`: the server pinned this client to the group). The message itself is
	 * the caller's cue to ask again: a `credit` before the caller holds it would size the next request
	 * as if it were not there.
	 */
	delivered(pinId?: string): void {
		this.heard();
		this.streak = 0;
		this.sameRefusal.count = 0;
		if (pinId) this.pin = pinId;
		this.outstanding.settle();
		if (this.outstanding.value === 0 && this.current === 'asking') this.current = 'idle';
	}

	/** A heartbeat, or any status: the server still serves the requests. */
	heard(): void {
		this.lastHeard = this.effects.now();
		this.heardSinceCheck = true;
	}

	/** A request ended (404, 408, a 409 with a count; or it could not be sent): `pending` of its messages will not come. */
	ended(pending: number | undefined): void {
		this.heard();
		if (pending === undefined) this.outstanding.forget();
		else this.outstanding.settle(pending);
		if (this.outstanding.value === 0 && this.current === 'asking') this.becomeIdle();
	}

	/** 503: nobody serves the consumer right now (a leader election, a restart, or it is gone). */
	noResponders(): void {
		this.heard();
		this.outstanding.forget();
		this.noRespondersSeen = true;
		if (this.current === 'asking' || this.current === 'idle' || this.current === 'backingOff') this.startCheck();
	}

	/** A request ended without a count for a reason that heals by itself (leadership change, shutdown). */
	interrupted(description: string): void {
		this.heard();
		this.outstanding.forget();
		this.effects.report({ type: 'debug', description });
		if (this.current === 'asking' || this.current === 'idle') this.backOff(FIRST_BACKOFF_MS);
	}

	/**
	 * The consumer refused a request (409 over a limit, 400, 423): adapt what the text names, re-read
	 * the consumer's limits, back off, and ask again; the same refusal again and again stops the trigger.
	 */
	refused(code: number, description: string, pending?: number): void {
		this.heard();
		if (pending === undefined) this.outstanding.forget();
		else this.outstanding.settle(pending);
		if (this.current === 'gone' || this.current === 'closed' || this.current === 'disconnected') return;
		if (code === 423) {
			// Unpinned: another client holds the group now; ask without the old pin.
			this.pin = undefined;
			this.effects.report({ type: 'debug', description: `${code} ${description}` });
			if (this.outstanding.value === 0) this.backOff(FIRST_BACKOFF_MS);
			return;
		}
		if (code === 412 || /push based/i.test(description)) {
			this.effects.report({ type: 'refused', description: `The consumer refused the trigger's pull request: ${code} ${description}` });
			return;
		}
		const adapted = this.adapt(description);
		// Other readers holding every waiting slot of the consumer heals when they go: never a reason to stop.
		const healable = /MaxWaiting/i.test(description);
		if (this.countRefusal(description) >= REFUSALS_BEFORE_GIVING_UP && !adapted && !healable) {
			this.effects.report({ type: 'refused', description: `The consumer refused the trigger's pull request ${this.sameRefusal.count} times in a row: ${code} ${description}` });
			return;
		}
		if (this.sameRefusal.count === 1) this.effects.report({ type: 'warning', description: `The consumer refused a pull request (${code} ${description}); ${adapted ? 'asking within its limits' : 'trying again after a pause'}` });
		if (adapted) {
			this.becomeIdle();
			return;
		}
		// A bad request may come from limits or a group changed since activation: read them again.
		if (code === 400) this.startCheck();
		else this.backOff(this.nextPause());
	}

	/** The consumer lookup answered. */
	checked(result: CheckResult): void {
		if (this.current !== 'checking') return;
		this.cancelTimer?.();
		if (result.status === 'consumerGone' || result.status === 'streamGone') {
			this.current = 'gone';
			this.outstanding.forget();
			this.effects.report({ type: result.status, description: 'the server no longer knows it' });
			return;
		}
		if (result.status === 'unknown') {
			this.outstanding.forget();
			this.effects.report({ type: 'debug', description: `consumer check could not tell: ${result.error?.message ?? 'no answer'}` });
			this.backOff(this.nextPause());
			return;
		}
		if (result.limits) this.limits = { ...result.limits };
		// Nothing heard since the check began: the requests were lost (a restart, a lost connection).
		if (!this.heardSinceCheck) this.outstanding.forget();
		if (this.noRespondersSeen) {
			this.noRespondersSeen = false;
			this.backOff(NO_RESPONDERS_PAUSE_MS);
		} else if (this.outstanding.value > 0) {
			this.current = 'asking';
		} else {
			this.becomeIdle();
		}
	}

	/** The watchdog, every heartbeat. */
	tick(): void {
		const now = this.effects.now();
		if (this.current === 'asking' && now - this.lastHeard >= 2 * this.limits.heartbeatMs + 500) this.startCheck();
		else if (this.current === 'checking' && now - this.checkStarted >= CHECK_TIMEOUT_MS) this.checked({ status: 'unknown', error: new Error(`no answer in ${CHECK_TIMEOUT_MS / 1000} s`) });
		else if (this.current === 'idle') this.effects.credit();
	}

	/** The connection dropped: the server forgets its requests. */
	disconnected(): void {
		if (this.current === 'gone' || this.current === 'closed') return;
		this.cancelTimer?.();
		this.outstanding.forget();
		this.current = 'disconnected';
	}

	/** The connection is back: ask again. */
	reconnected(): void {
		if (this.current !== 'disconnected') return;
		this.becomeIdle();
	}

	/** After the consumer came back (or was re-created): ask again. */
	resume(): void {
		if (this.current === 'closed') return;
		this.cancelTimer?.();
		this.outstanding.forget();
		this.becomeIdle();
	}

	close(): void {
		this.cancelTimer?.();
		this.current = 'closed';
	}

	private startCheck(): void {
		this.cancelTimer?.();
		this.current = 'checking';
		this.checkStarted = this.effects.now();
		this.heardSinceCheck = false;
		this.effects.check();
	}

	private backOff(ms: number): void {
		this.cancelTimer?.();
		this.current = 'backingOff';
		this.cancelTimer = this.effects.after(ms, () => {
			this.cancelTimer = undefined;
			if (this.current === 'backingOff') this.becomeIdle();
		});
	}

	private becomeIdle(): void {
		this.cancelTimer?.();
		this.current = 'idle';
		this.effects.credit();
	}

	private nextPause(): number {
		const pause = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** this.streak);
		this.streak++;
		return pause;
	}

	private countRefusal(description: string): number {
		if (this.sameRefusal.description === description) this.sameRefusal.count++;
		else this.sameRefusal = { description, count: 1 };
		return this.sameRefusal.count;
	}

	/** Limits the refusal names, applied to the next requests; false when there was nothing to change. */
	private adapt(description: string): boolean {
		const fitted = limitsAfterRefusal(this.limits, description);
		if (fitted) this.limits = fitted;
		return fitted !== undefined;
	}
}
