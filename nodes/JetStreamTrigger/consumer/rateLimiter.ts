import { sleep } from '../../shared/execution/sleep';

/**
 * A token bucket: on average `perSecond` messages, with bursts of at most one second's worth, so a
 * backlog is fed to a rate-limited API downstream at a pace it accepts.
 */
export class RateLimiter {
	private tokens: number;

	private last: number;

	private readonly burst: number;

	constructor(
		private readonly perSecond: number,
		private readonly now: () => number = Date.now,
	) {
		this.burst = Math.max(1, perSecond);
		this.tokens = this.burst;
		this.last = now();
	}

	/** Waits for a token; returns false when the signal aborted the wait. */
	async take(signal: AbortSignal): Promise<boolean> {
		for (;;) {
			if (signal.aborted) return false;
			this.refill();
			if (this.tokens >= 1) {
				this.tokens -= 1;
				return true;
			}
			await sleep(Math.ceil(((1 - this.tokens) / this.perSecond) * 1000), signal);
		}
	}

	private refill(): void {
		const now = this.now();
		this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
		this.last = now;
	}
}
