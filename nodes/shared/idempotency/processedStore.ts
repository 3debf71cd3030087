import { randomUUID } from 'node:crypto';

import type { KV, KvEntry } from '@nats-io/kv';

import { withJetStreamNode } from '../advice';
import { JetStreamNodeError } from '../errors';
import { toNodeError } from '../errorMapping';
import type { NatsClient } from '../transport/client';
import { prefixedName } from '../transport/subjectPrefix';
import { encodeClaim, isRevisionConflict, LeaseWatch, parseClaim, type StoredClaim } from './claimEntry';
import { processedBucketName, storageKey, validateBucketName } from './keys';

/**
 * The processed-key store: which idempotency keys were already handled, in a JetStream KV bucket
 * whose maximum age is the retention. A message is claimed before its workflow runs (KV create
 * succeeds for exactly one claimer), completed after success, released after failure. Every change
 * of an existing entry is checked against the revision the caller saw, so two instances never both
 * believe they own a key.
 */

export interface ProcessedStoreOptions {
	/** Bucket name; default `n8n_processed_<stream>_<consumer>`. */
	bucket?: string;
	/** Used for the default bucket name. */
	stream?: string;
	consumer?: string;
	/** Prefix for keys, to share one bucket between several consumers. */
	keyPrefix?: string;
	/** How long a processed key is remembered (the bucket's max age). Default 7 days. */
	retentionMs?: number;
	/**
	 * A claim not renewed for this long is considered abandoned (its process stopped) and may be taken
	 * over. The owner renews it while its execution runs (`renew`). Default 30 seconds.
	 */
	leaseMs?: number;
	/** Create the bucket when missing (default true). False: bind only; needs no create rights. */
	create?: boolean;
	/** Identifies this process in claims (for diagnosis). Default: a random id. */
	owner?: string;
	/** For tests. */
	now?: () => number;
}

/** Proof of a claim; pass it to `complete` or `release`. */
export interface Claim {
	readonly key: string;
	readonly storageKey: string;
	readonly revision: number;
	readonly claimedAt: number;
}

export type ClaimResult =
	| {
			status: 'claimed';
			claim: Claim;
			/** True when an expired claim of a crashed process was taken over. */
			takenOver: boolean;
			/** True when the entry was not one this store writes (not JSON, unknown state): read as "not processed". */
			replacedUnreadable?: boolean;
	  }
	| { status: 'already-processed'; processedAt: string }
	| { status: 'in-progress'; /** When the current claim expires and can be taken over. */ leaseExpiresAt: string };

export type CompleteResult =
	/** Marked processed. `takenOver`: another process had taken the claim over meanwhile (lease expired). */
	{ status: 'completed'; takenOver: boolean };

export interface IdempotencyStats {
	claimed: number;
	takenOver: number;
	/** Skipped because the key was already processed. */
	duplicatesSkipped: number;
	/** Skipped because another execution holds a live claim. */
	inProgressSkipped: number;
	completed: number;
	released: number;
	/** release() found the claim no longer ours (taken over or completed elsewhere). */
	releaseConflicts: number;
	/** Entries this store did not write (not JSON, unknown state): treated as not processed and taken over. */
	unreadable: number;
}

export type RenewResult = { status: 'renewed'; claim: Claim } | { status: 'lost' };

const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_MS = 7 * DAY_MS;
export const DEFAULT_LEASE_MS = 30_000;
/** Create → read → retry rounds when entries change under us (deleted, expired) before giving up. */
const MAX_ROUNDS = 5;

export class ProcessedKeyStore {
	readonly stats: IdempotencyStats = {
		claimed: 0,
		takenOver: 0,
		duplicatesSkipped: 0,
		inProgressSkipped: 0,
		completed: 0,
		released: 0,
		releaseConflicts: 0,
		unreadable: 0,
	};

	/** Claims of others this process waits on: judged abandoned by its own clock alone. */
	private readonly leases: LeaseWatch;

	private constructor(
		private readonly kv: KV,
		readonly bucket: string,
		private readonly keyPrefix: string | undefined,
		private readonly leaseMs: number,
		private readonly owner: string,
		private readonly now: () => number,
	) {
		this.leases = new LeaseWatch(now);
	}

	/** Opens (and by default creates) the bucket. Errors name the bucket and say what to do. */
	static async open(client: NatsClient, options: ProcessedStoreOptions = {}): Promise<ProcessedKeyStore> {
		const bucket = options.bucket
			? validateBucketName(options.bucket, 'Key-Value Bucket')
			: prefixedName(client.credentials.subjectPrefix, processedBucketName(options.stream ?? 'default', options.consumer ?? 'default'));
		const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
		let kv: KV;
		try {
			if (options.create === false) {
				kv = await client.kvm().open(bucket);
				await kv.status();
			} else {
				kv = await client.kvm().create(bucket, { ttl: retentionMs, history: 1, replicas: client.credentials.replicas, description: 'Idempotency keys processed by n8n' });
			}
		} catch (error) {
			throw bucketError(error, bucket, options.create === false);
		}
		return new ProcessedKeyStore(
			kv,
			bucket,
			options.keyPrefix,
			options.leaseMs ?? DEFAULT_LEASE_MS,
			options.owner ?? randomUUID(),
			options.now ?? Date.now,
		);
	}

	/**
	 * Claims a key before its message is processed. Exactly one of several concurrent claimers gets
	 * 'claimed'; the others see 'in-progress' (or 'already-processed' once it completed).
	 */
	async claim(key: string): Promise<ClaimResult> {
		const sk = storageKey(key, this.keyPrefix);
		for (let round = 0; round < MAX_ROUNDS; round++) {
			const result = await this.tryClaim(key, sk);
			if (result) return this.count(result);
		}
		throw new JetStreamNodeError('conflict', `The idempotency key "${key}" kept changing while it was being claimed`, {
			hint: 'Another process is writing the same key in a loop; check that the idempotency bucket is not shared by mistake',
		});
	}

	/** Marks a claimed key as processed. */
	async complete(claim: Claim): Promise<CompleteResult> {
		const value = this.encode('processed', this.now());
		try {
			await this.kv.update(claim.storageKey, value, claim.revision);
			this.stats.completed++;
			return { status: 'completed', takenOver: false };
		} catch (error) {
			if (!isRevisionConflict(error)) throw this.kvError(error, claim.key);
		}
		// The lease ran out and someone else took the claim: the message *was* processed here, so record it.
		const current = await this.read(claim.storageKey, claim.key);
		if (current && current.operation === 'PUT' && parseClaim(current)?.state === 'processed') {
			this.stats.completed++;
			return { status: 'completed', takenOver: true };
		}
		try {
			await this.kv.put(claim.storageKey, value);
		} catch (error) {
			throw this.kvError(error, claim.key);
		}
		this.stats.completed++;
		return { status: 'completed', takenOver: true };
	}

	/**
	 * Extends a claim while its execution runs, so a copy of the message elsewhere cannot take the key
	 * over. 'lost' when the claim is no longer ours (its lease ran out and someone took it over).
	 */
	async renew(claim: Claim): Promise<RenewResult> {
		const now = this.now();
		try {
			const revision = await this.kv.update(claim.storageKey, this.encode('in-progress', now), claim.revision);
			return { status: 'renewed', claim: { ...claim, revision } };
		} catch (error) {
			if (isRevisionConflict(error)) return { status: 'lost' };
			throw this.kvError(error, claim.key);
		}
	}

	/**
	 * Gives a claim back after the execution failed, so a redelivery can claim it again. Returns
	 * false (and changes nothing) when the claim is no longer ours.
	 */
	async release(claim: Claim): Promise<boolean> {
		try {
			await this.kv.delete(claim.storageKey, { previousSeq: claim.revision });
			this.stats.released++;
			return true;
		} catch (error) {
			if (!isRevisionConflict(error)) throw this.kvError(error, claim.key);
			this.stats.releaseConflicts++;
			return false;
		}
	}

	/** Read-only: is this key recorded as processed? */
	async isProcessed(key: string): Promise<boolean> {
		const entry = await this.read(storageKey(key, this.keyPrefix), key);
		if (!entry || entry.operation !== 'PUT') return false;
		return parseClaim(entry)?.state === 'processed';
	}

	private async tryClaim(key: string, sk: string): Promise<ClaimResult | undefined> {
		const now = this.now();
		try {
			const revision = await this.kv.create(sk, this.encode('in-progress', now));
			return { status: 'claimed', claim: { key, storageKey: sk, revision, claimedAt: now }, takenOver: false };
		} catch (error) {
			if (!isRevisionConflict(error)) throw this.kvError(error, key);
		}
		const entry = await this.read(sk, key);
		// Gone (released, expired) since our create failed: try again.
		if (!entry || entry.operation !== 'PUT') return undefined;
		const stored = parseClaim(entry);
		if (!stored) {
			this.stats.unreadable++;
			const taken = await this.takeOver(key, sk, entry.revision, now);
			return taken?.status === 'claimed' ? { ...taken, replacedUnreadable: true } : taken;
		}
		if (stored.state === 'processed') {
			this.leases.forget(sk);
			return { status: 'already-processed', processedAt: entry.created.toISOString() };
		}
		const remainingMs = this.leases.remainingMs(sk, entry.revision, stored.leaseMs || this.leaseMs);
		if (remainingMs > 0) return { status: 'in-progress', leaseExpiresAt: new Date(Date.now() + remainingMs).toISOString() };
		return await this.takeOver(key, sk, entry.revision, now);
	}

	private async takeOver(key: string, sk: string, revision: number, now: number): Promise<ClaimResult | undefined> {
		try {
			const next = await this.kv.update(sk, this.encode('in-progress', now), revision);
			this.leases.forget(sk);
			return { status: 'claimed', claim: { key, storageKey: sk, revision: next, claimedAt: now }, takenOver: true };
		} catch (error) {
			if (!isRevisionConflict(error)) throw this.kvError(error, key);
			// Someone else took it over (or completed it) first: look again.
			return undefined;
		}
	}

	private count(result: ClaimResult): ClaimResult {
		if (result.status === 'claimed') {
			this.stats.claimed++;
			if (result.takenOver) this.stats.takenOver++;
		} else if (result.status === 'already-processed') this.stats.duplicatesSkipped++;
		else this.stats.inProgressSkipped++;
		return result;
	}

	private async read(sk: string, key: string): Promise<KvEntry | null> {
		try {
			return await this.kv.get(sk);
		} catch (error) {
			throw this.kvError(error, key);
		}
	}

	private encode(state: StoredClaim['state'], at: number): Uint8Array {
		return encodeClaim({ state, owner: this.owner, at, leaseMs: this.leaseMs });
	}

	private kvError(error: unknown, key: string): JetStreamNodeError {
		return toNodeError(error, { bucket: this.bucket, key });
	}
}

function bucketError(error: unknown, bucket: string, bindOnly: boolean): JetStreamNodeError {
	const mapped = toNodeError(error, { stream: `KV_${bucket}`, bucket });
	if (mapped.category === 'not-found' && bindOnly) {
		return new JetStreamNodeError('not-found', `The idempotency bucket "${bucket}" does not exist`, {
			hint: `Turn on "Create Bucket" (Idempotency Options) in this trigger, or create the bucket with ${withJetStreamNode('Key-Value → Create Bucket')}`,
			cause: error,
		});
	}
	return mapped;
}
