import type { KvEntry } from '@nats-io/kv';

import { JetStreamApiCodes } from '../errors';
import { BoundedMap } from '../execution/boundedMap';

/** What a claim looks like in the bucket, and how a claim held by someone else is judged abandoned. */

export interface StoredClaim {
	state: 'in-progress' | 'processed';
	owner: string;
	/** ms since epoch. */
	at: number;
	leaseMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeClaim(value: StoredClaim): Uint8Array {
	return encoder.encode(JSON.stringify(value));
}

export function isRevisionConflict(error: unknown): boolean {
	const e = error as { code?: unknown; message?: string };
	return (
		e?.code === JetStreamApiCodes.StreamWrongLastSequence ||
		e?.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown ||
		/wrong last sequence/i.test(String(e?.message ?? ''))
	);
}

/** The stored claim, or undefined for an entry this store did not write (e.g. a key seeded by hand). */
export function parseClaim(entry: KvEntry): StoredClaim | undefined {
	let value: Partial<StoredClaim>;
	try {
		value = JSON.parse(decoder.decode(entry.value)) as Partial<StoredClaim>;
	} catch {
		// Not JSON: the caller treats it as "not processed" (running a message again is recoverable, skipping it is not).
		return undefined;
	}
	if (value?.state !== 'in-progress' && value?.state !== 'processed') return undefined;
	return { state: value.state, owner: String(value.owner ?? ''), at: Number(value.at ?? 0), leaseMs: Number(value.leaseMs ?? 0) };
}

/** How many claims of others are watched at most (those this process waits on). */
const WATCH_CAPACITY = 10_000;

/**
 * Whether a claim held by someone else has outlived its lease, judged by this process's own clock
 * alone: a live owner renews its claim every third of the lease, which changes the entry's revision,
 * so an entry seen at the same revision for a whole lease was abandoned (its process died).
 * Comparing this clock with the server's write time instead would let a clock that runs ahead take
 * over a live claim, and one that runs behind wait for ever.
 */
export class LeaseWatch {
	private readonly seen = new BoundedMap<string, { revision: number; since: number }>(WATCH_CAPACITY);

	constructor(private readonly now: () => number) {}

	/** How long until the claim at `revision` counts as abandoned; 0 or less: it does now. */
	remainingMs(storageKey: string, revision: number, leaseMs: number): number {
		const now = this.now();
		const seen = this.seen.get(storageKey);
		if (seen && seen.revision === revision) return seen.since + leaseMs - now;
		this.seen.set(storageKey, { revision, since: now });
		return leaseMs;
	}

	forget(storageKey: string): void {
		this.seen.delete(storageKey);
	}
}
