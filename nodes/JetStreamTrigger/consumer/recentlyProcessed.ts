import { BoundedMap } from '../../shared/execution/boundedMap';

/** How long a key this process recorded is known processed without asking the bucket. */
export const RECENTLY_PROCESSED_MS = 60_000;
/** How many keys are remembered at most (the oldest are forgotten first). */
const CAPACITY = 10_000;

/**
 * Keys this process recorded as processed a short while ago, so a copy of their message (a
 * redelivery whose acknowledgement was lost, a duplicate published again) is skipped without asking
 * the bucket: a duplicate otherwise costs three round trips (a refused create, the client's own read,
 * ours). Only a key whose "processed" write the server confirmed is added, and the bucket never turns
 * a processed entry back into a claimable one before it ages out, so the answer is the bucket's —
 * unless someone deletes the entry by hand to run the message again: that works after `ttlMs`.
 */
export class RecentlyProcessed {
	/** Key → when it is forgotten; insertion order is age order (every key is added once per record). */
	private readonly until = new BoundedMap<string, number>(CAPACITY);

	constructor(
		private readonly ttlMs: number,
		private readonly now: () => number = Date.now,
	) {}

	add(key: string): void {
		this.until.set(key, this.now() + this.ttlMs);
	}

	has(key: string): boolean {
		const until = this.until.get(key);
		if (until === undefined) return false;
		if (until > this.now()) return true;
		this.until.delete(key);
		return false;
	}
}
