import type { Tracked } from './ledger';

/**
 * Messages in line for an execution slot, oldest first; a message coming back from the parking lot
 * goes to the front (it has waited longest). `take()` waits for one, up to a deadline, or until the
 * signal aborts.
 */
export class ReadyQueue {
	private items: Tracked[] = [];

	private waiter?: () => void;

	get length(): number {
		return this.items.length;
	}

	push(tracked: Tracked): void {
		this.items.push(tracked);
		this.wake();
	}

	unshift(tracked: Tracked): void {
		this.items.unshift(tracked);
		this.wake();
	}

	/** Everything in line, emptying the queue (closing hands them back). */
	drain(): Tracked[] {
		return this.items.splice(0);
	}

	/** The next message; undefined when `timeoutMs` passed or the signal aborted first. */
	async take(signal: AbortSignal, timeoutMs?: number): Promise<Tracked | undefined> {
		for (;;) {
			const next = this.items.shift();
			if (next) return next;
			if (signal.aborted || timeoutMs === 0) return undefined;
			const woken = await this.arrival(signal, timeoutMs);
			if (!woken) return this.items.shift();
		}
	}

	private async arrival(signal: AbortSignal, timeoutMs?: number): Promise<boolean> {
		let timer: NodeJS.Timeout | undefined;
		let onAbort: (() => void) | undefined;
		const woken = await new Promise<boolean>((resolve) => {
			this.waiter = () => resolve(true);
			onAbort = () => resolve(false);
			signal.addEventListener('abort', onAbort, { once: true });
			if (timeoutMs !== undefined) timer = setTimeout(() => resolve(false), Math.max(0, timeoutMs));
		});
		clearTimeout(timer);
		if (onAbort) signal.removeEventListener('abort', onAbort);
		this.waiter = undefined;
		return woken;
	}

	private wake(): void {
		const waiter = this.waiter;
		this.waiter = undefined;
		waiter?.();
	}
}
