/**
 * The parallel-processing limit: a message (or batch) is read from the consumer only after it got a
 * slot, so the number of executions in flight never exceeds the capacity and nothing piles up in memory.
 */
export class Slots {
	private used = 0;

	private waiters: Array<{ signal: AbortSignal; grant: () => void; refuse: () => void }> = [];

	private readonly watched = new WeakSet<AbortSignal>();

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

	/** Callers waiting for a slot now. */
	get waiting(): number {
		return this.waiters.length;
	}

	/** Resolves true with a slot, or false when the signal aborts (or `timeoutMs` passes) first. */
	acquire(signal: AbortSignal, timeoutMs?: number): Promise<boolean> {
		if (signal.aborted) return Promise.resolve(false);
		if (this.used < this.capacity) {
			this.used++;
			return Promise.resolve(true);
		}
		if (timeoutMs !== undefined && timeoutMs <= 0) return Promise.resolve(false);
		return new Promise((resolve) => {
			this.watch(signal);
			let timer: NodeJS.Timeout | undefined;
			const waiter = {
				signal,
				grant: () => {
					clearTimeout(timer);
					this.used++;
					resolve(true);
				},
				refuse: () => {
					clearTimeout(timer);
					resolve(false);
				},
			};
			this.waiters.push(waiter);
			if (timeoutMs !== undefined) {
				timer = setTimeout(() => {
					this.waiters = this.waiters.filter((w) => w !== waiter);
					resolve(false);
				}, timeoutMs);
			}
		});
	}

	/**
	 * One abort listener per signal, however many callers wait on it (a listener per waiter piles up:
	 * a request trigger may have hundreds waiting): aborting refuses all of them at once.
	 */
	private watch(signal: AbortSignal): void {
		if (this.watched.has(signal)) return;
		this.watched.add(signal);
		signal.addEventListener(
			'abort',
			() => {
				const refused = this.waiters.filter((w) => w.signal === signal);
				this.waiters = this.waiters.filter((w) => w.signal !== signal);
				refused.forEach((w) => w.refuse());
			},
			{ once: true },
		);
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
		while (this.used < this.capacity && this.waiters.length > 0) this.waiters.shift()?.grant();
	}
}
