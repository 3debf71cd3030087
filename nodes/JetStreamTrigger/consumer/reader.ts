import type { ConsumeSession, Delivery } from '../../shared/transport/consume';

export type ReadResult = Delivery | 'timeout' | 'end';

/**
 * Reads a consume session one message at a time, optionally with a time limit (to close a batch).
 * A read that timed out is not lost: the next call picks up the same pending message.
 */
export class SessionReader {
	private readonly iterator: AsyncIterator<Delivery>;

	private pending?: Promise<IteratorResult<Delivery>>;

	private ended = false;

	constructor(session: ConsumeSession) {
		this.iterator = session[Symbol.asyncIterator]();
	}

	async next(timeoutMs?: number): Promise<ReadResult> {
		if (this.ended) return 'end';
		this.pending ??= this.iterator.next();
		const result = timeoutMs === undefined ? await this.pending : await this.race(this.pending, timeoutMs);
		if (result === 'timeout') return 'timeout';
		this.pending = undefined;
		if (result.done) {
			this.ended = true;
			return 'end';
		}
		return result.value;
	}

	/** Everything still buffered after the session was closed. */
	async rest(): Promise<Delivery[]> {
		const out: Delivery[] = [];
		for (let next = await this.next(); next !== 'end'; next = await this.next()) {
			if (next !== 'timeout') out.push(next);
		}
		return out;
	}

	private async race(pending: Promise<IteratorResult<Delivery>>, timeoutMs: number) {
		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<'timeout'>((resolve) => {
			timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
		});
		try {
			return await Promise.race([pending, timeout]);
		} finally {
			clearTimeout(timer);
		}
	}
}
