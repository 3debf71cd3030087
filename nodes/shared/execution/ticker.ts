/**
 * One interval timer for many deadlines and periodic calls. A trigger running thousands of short
 * executions a second would otherwise create and clear two Node timers per message (its execution
 * timeout and its working() interval); here each costs a Set entry. Precision is the resolution.
 */
interface Task {
	due: number;
	readonly every?: number;
	readonly fn: () => void;
}

export class Ticker {
	private readonly tasks = new Set<Task>();

	private timer?: NodeJS.Timeout;

	private stopped = false;

	constructor(
		private readonly resolutionMs = 50,
		/** A task that throws is reported here; the other tasks of the tick still run. */
		private readonly onError: (error: Error) => void = () => undefined,
	) {}

	/** Calls `fn` once, `ms` from now (give or take the resolution); returns the cancel. */
	after(ms: number, fn: () => void): () => void {
		return this.add({ due: Date.now() + ms, fn });
	}

	/** Calls `fn` every `ms` until cancelled; returns the cancel. */
	every(ms: number, fn: () => void): () => void {
		return this.add({ due: Date.now() + ms, every: ms, fn });
	}

	/** Cancels every task for good; later ones are not scheduled (the trigger they served is closed). */
	stop(): void {
		this.stopped = true;
		this.tasks.clear();
		clearInterval(this.timer);
		this.timer = undefined;
	}

	private add(task: Task): () => void {
		if (this.stopped) return () => undefined;
		this.tasks.add(task);
		if (!this.timer) {
			this.timer = setInterval(() => this.tick(), this.resolutionMs);
			// Timeouts alone never keep the process up: the connection and n8n do.
			this.timer.unref();
		}
		return () => {
			this.tasks.delete(task);
		};
	}

	private tick(): void {
		// Stopped lazily, so a busy trigger does not start and stop the interval with every message.
		if (this.tasks.size === 0) {
			clearInterval(this.timer);
			this.timer = undefined;
			return;
		}
		const now = Date.now();
		for (const task of this.tasks) {
			if (now < task.due) continue;
			if (task.every) task.due = now + task.every;
			else this.tasks.delete(task);
			try {
				task.fn();
			} catch (error) {
				this.onError(error as Error);
			}
		}
	}
}
