import type { ConsumeSession, Delivery } from '../../shared/transport/consume';

export type ReadResult = Delivery | 'timeout' | 'end';

/** Keeps a message waiting for a free slot from being redelivered; returns the stop. */
export type KeepAlive = (delivery: Delivery) => () => void;

interface Waiting {
	delivery: Delivery;
	stopKeepAlive: () => void;
}

/**
 * Reads a consume session ahead of the executions: up to `readAhead` messages are taken off the
 * client as they arrive — so the client asks the server for the next ones without waiting for a
 * free slot — and each is kept alive (working()) while it waits, so its ack wait never runs out in
 * the queue. `next()` hands them out one at a time, optionally with a time limit (to close a batch).
 */
export class SessionReader {
	private readonly queue: Waiting[] = [];

	private ended = false;

	/** Wakes a `next()` waiting for a message (or the end). */
	private wakeReader?: () => void;

	/** Wakes the pump waiting for room in the queue. */
	private wakePump?: () => void;

	private readonly pumping: Promise<void>;

	private draining = false;

	/** Why the session failed, if it did: reported by `rest()`, after the queued messages were handed out. */
	private failure?: Error;

	constructor(
		session: ConsumeSession,
		private readonly readAhead: number,
		private readonly keepAlive: KeepAlive,
	) {
		this.pumping = this.pump(session[Symbol.asyncIterator]()).catch((error: unknown) => {
			this.failure = error as Error;
		});
	}

	async next(timeoutMs?: number): Promise<ReadResult> {
		if (this.queue.length === 0 && !this.ended) await this.arrival(timeoutMs);
		const waiting = this.queue.shift();
		if (!waiting) return this.ended ? 'end' : 'timeout';
		waiting.stopKeepAlive();
		this.wake('pump');
		return waiting.delivery;
	}

	/** Everything still queued once the session was closed (it ends after handing out what it buffered). */
	async rest(): Promise<{ deliveries: Delivery[]; failure?: Error }> {
		// Nobody reads any more: let the pump take the rest without waiting for room.
		this.draining = true;
		this.wake('pump');
		await this.pumping;
		const deliveries = this.queue.splice(0).map((w) => {
			w.stopKeepAlive();
			return w.delivery;
		});
		return { deliveries, failure: this.failure };
	}

	private async pump(iterator: AsyncIterator<Delivery>): Promise<void> {
		try {
			for (;;) {
				while (this.queue.length >= this.readAhead && !this.draining) await new Promise<void>((resolve) => (this.wakePump = resolve));
				const result = await iterator.next();
				if (result.done) return;
				this.queue.push({ delivery: result.value, stopKeepAlive: this.keepAlive(result.value) });
				this.wake('reader');
			}
		} finally {
			this.ended = true;
			this.wake('reader');
		}
	}

	private async arrival(timeoutMs?: number): Promise<void> {
		let timer: NodeJS.Timeout | undefined;
		await new Promise<void>((resolve) => {
			this.wakeReader = resolve;
			if (timeoutMs !== undefined) timer = setTimeout(resolve, Math.max(0, timeoutMs));
		});
		clearTimeout(timer);
	}

	private wake(who: 'reader' | 'pump'): void {
		const wake = who === 'reader' ? this.wakeReader : this.wakePump;
		if (who === 'reader') this.wakeReader = undefined;
		else this.wakePump = undefined;
		wake?.();
	}
}
