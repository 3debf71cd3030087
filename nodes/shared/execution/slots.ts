/**
 * The parallel-processing limit: a message (or batch) is read from the consumer only after it got a
 * slot, so the number of executions in flight never exceeds the capacity and nothing piles up in memory.
 */
export class Slots {
	private used = 0;

	private waiters: Array<() => void> = [];

	private idleWaiters: Array<() => void> = [];

	constructor(private capacity: number) {}

	get inUse(): number {
		return this.used;
	}

	/** Half-open circuit: one trial at a time; closed again: the configured limit. */
	setCapacity(capacity: number): void {
		this.capacity = capacity;
		this.wake();
	}

	/** Resolves true with a slot, or false when the signal aborts first. */
	acquire(signal: AbortSignal): Promise<boolean> {
		if (signal.aborted) return Promise.resolve(false);
		if (this.used < this.capacity) {
			this.used++;
			return Promise.resolve(true);
		}
		return new Promise((resolve) => {
			const onAbort = () => {
				this.waiters = this.waiters.filter((w) => w !== grant);
				resolve(false);
			};
			const grant = () => {
				signal.removeEventListener('abort', onAbort);
				this.used++;
				resolve(true);
			};
			signal.addEventListener('abort', onAbort, { once: true });
			this.waiters.push(grant);
		});
	}

	release(): void {
		this.used = Math.max(0, this.used - 1);
		this.wake();
		if (this.used === 0) this.idleWaiters.splice(0).forEach((w) => w());
	}

	/** Resolves true when nothing is in flight, false after `timeoutMs`. */
	idle(timeoutMs: number): Promise<boolean> {
		if (this.used === 0) return Promise.resolve(true);
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
				resolve(false);
			}, timeoutMs);
			const done = () => {
				clearTimeout(timer);
				resolve(true);
			};
			this.idleWaiters.push(done);
		});
	}

	private wake(): void {
		while (this.used < this.capacity && this.waiters.length > 0) this.waiters.shift()?.();
	}
}
