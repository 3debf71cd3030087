/**
 * Messages in line for an execution slot, oldest first; one that comes back from waiting elsewhere
 * goes to the front (it has waited longest). `take()` waits for one, up to a deadline, or until the
 * signal aborts.
 */
export class Line<T> {
	private items: T[] = [];

	private waiter?: () => void;

	get length(): number {
		return this.items.length;
	}

	push(item: T, where: 'front' | 'back' = 'back'): void {
		if (where === 'front') this.items.unshift(item);
		else this.items.push(item);
		this.wake();
	}

	remove(item: T): void {
		this.items = this.items.filter((i) => i !== item);
	}

	/** Everything in line, emptying it; a waiting `take()` is woken (and finds nothing). */
	drain(): T[] {
		const all = this.items.splice(0);
		this.wake();
		return all;
	}

	/** The next item if there is one now. */
	shift(): T | undefined {
		return this.items.shift();
	}

	/** The next item; undefined when `timeoutMs` passed or the signal aborted first. */
	async take(signal: AbortSignal, timeoutMs?: number): Promise<T | undefined> {
		for (;;) {
			const next = this.items.shift();
			if (next !== undefined) return next;
			if (signal.aborted || timeoutMs === 0) return undefined;
			if (!(await this.arrival(signal, timeoutMs))) return this.items.shift();
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
