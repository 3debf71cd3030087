import { forFeature } from '../../shared/errorMapping';
import { PermissionError } from '../../shared/errors';
import { sleep } from '../../shared/execution/sleep';
import type { Ticker } from '../../shared/execution/ticker';
import type { Claim, ProcessedKeyStore } from '../../shared/idempotency';
import type { Outage } from '../../shared/n8n/outage';
import type { TransportLogger } from '../../shared/transport/connect';
import type { DecodedMessage, GuardVerdict, MessageGuard } from './hooks';
import type { KeyOf } from './idempotencyKey';
import { FEATURE } from './featureNames';
import { RecentlyProcessed, RECENTLY_PROCESSED_MS } from './recentlyProcessed';

/** About half a minute of retries: long enough for a server restart. */
const COMPLETE_ATTEMPTS = 8;
/** How soon a message whose key is being processed elsewhere looks again (at most; sooner when the claim's lease ends sooner). */
const BUSY_RECHECK_MS = { min: 100, max: 1_000 };

interface Held {
	claim: Claim;
	/** A renewal in flight: recording or releasing waits for it, so they use the newest revision. */
	renewing?: Promise<void>;
	/** Taken over while the execution ran (not renewed in time): success is still recorded, but never given back. */
	lost?: boolean;
}

/** A claim whose execution ended without an Acknowledge answer seen ("Later in the workflow"). */
interface Abandoned {
	held: Held;
	sequence: number;
	/** After this its lease has long run out: forgotten. */
	until: number;
}

/**
 * Consumer-side idempotency: claim a message's key before its execution (exactly one claimer wins,
 * across instances), renew the claim while the execution runs, mark it processed after success, give
 * it back after a failure. A key already processed is acknowledged and skipped; one claimed elsewhere
 * waits until that claim is decided or its lease ends. A bucket that cannot be reached is an outage,
 * not a verdict: the message waits, it is never skipped, run or dead-lettered because of it.
 *
 * Two awaited writes per message, and no fewer (measured: they, not this code, bound the rate):
 * - the claim before the execution is the only thing that keeps two instances from running one key
 *   at once; it must be answered before the execution starts.
 * - "processed" is written, and its answer awaited, before the ack is sent. Crash after the write,
 *   before the ack: the redelivery finds the key processed and is skipped. Crash before the write
 *   is answered: no ack was sent, the redelivery waits out the claim's lease and runs (the execution
 *   may have run: at-least-once, as without the guard). Sending the ack next to an unanswered write
 *   instead would let a write refused later (a KV leader elsewhere, a full store) leave an acked
 *   message with no record: a copy published again would run twice.
 * A copy of a message whose key this process recorded lately is skipped without a round trip
 * (`RecentlyProcessed`): a processed entry never becomes claimable again before it ages out.
 */
export class IdempotencyGuard implements MessageGuard {
	/** Claims of messages whose executions run now: one entry per running message, removed when it ends. */
	private readonly claims = new Map<DecodedMessage, Held>();

	/** Claims kept for an Acknowledge answer that may still come, by key… */
	private readonly abandoned = new Map<string, Abandoned>();

	/** …and the key of each, by stream sequence (the answer names the sequence). */
	private readonly abandonedKeys = new Map<number, string>();

	private stopRenewal?: () => void;

	private warnedNoKey = false;

	private readonly recent: RecentlyProcessed;

	constructor(
		private readonly store: ProcessedKeyStore,
		private readonly keyOf: KeyOf,
		private readonly logger: TransportLogger,
		private readonly ticker: Ticker,
		private readonly leaseMs: number,
		private readonly outage: Outage,
		recentMs = RECENTLY_PROCESSED_MS,
	) {
		this.recent = new RecentlyProcessed(recentMs);
	}

	get stats() {
		return this.store.stats;
	}

	/** Claims held now (for tests: one per message between its admission and its answer, never more). */
	get claimCount(): number {
		return this.claims.size;
	}

	async check(message: DecodedMessage): Promise<GuardVerdict> {
		const key = this.keyOf(message);
		if (key === undefined) {
			this.noKey(message);
			return { action: 'process' };
		}
		if (this.recent.has(key)) {
			this.store.stats.duplicatesSkipped++;
			return { action: 'skip', reason: `its idempotency key "${key}" was processed by this trigger a moment ago` };
		}
		let result;
		try {
			const taken = await this.takeBack(key, message);
			if (taken) return { action: 'process' };
			result = await this.store.claim(key);
		} catch (error) {
			const refused = forFeature(error, FEATURE.idempotency);
			if (refused instanceof PermissionError) return { action: 'refused', error: refused };
			this.outage.failed(error as Error);
			return { action: 'wait', reason: `the idempotency bucket cannot be reached (${(error as Error).message})`, retryInMs: this.outage.retryInMs(), outage: true };
		}
		this.outage.ok();
		switch (result.status) {
			case 'claimed':
				if (result.replacedUnreadable) {
					this.logger.warn(
						`The entry for idempotency key "${key}" in bucket "${this.store.bucket}" was not written by this trigger (not JSON, or an unknown state); it counts as not processed, so message ${message.delivery.streamSequence} runs`,
					);
				}
				this.hold(message, { claim: result.claim });
				return { action: 'process' };
			case 'already-processed':
				return { action: 'skip', reason: `its idempotency key "${key}" was already processed (${result.processedAt})` };
			default: {
				const untilExpiry = Date.parse(result.leaseExpiresAt) - Date.now();
				const retryInMs = Math.min(BUSY_RECHECK_MS.max, Math.max(BUSY_RECHECK_MS.min, untilExpiry));
				return { action: 'wait', reason: `another execution is processing idempotency key "${key}"`, retryInMs };
			}
		}
	}

	/**
	 * Records success, retrying through a short server outage: if this were given up, a copy of the
	 * message elsewhere would wait out the claim's lease and then run a second time. It never throws:
	 * the execution succeeded, so its message is acknowledged whatever happens here.
	 */
	async processed(message: DecodedMessage): Promise<void> {
		const held = await this.take(message);
		if (held) await this.record(held);
	}

	async failed(message: DecodedMessage): Promise<void> {
		const held = await this.take(message);
		if (held) await this.giveBack(held);
	}

	timedOut(message: DecodedMessage): void {
		// The execution may still run: the claim is no longer renewed, so it ends with its lease.
		this.claims.delete(message);
	}

	abandon(message: DecodedMessage): void {
		const held = this.claims.get(message);
		if (!held) return;
		this.claims.delete(message);
		if (held.lost) return;
		const sequence = message.delivery.streamSequence;
		this.forget(held.claim.key);
		this.abandoned.set(held.claim.key, { held, sequence, until: Date.now() + 2 * this.leaseMs });
		this.abandonedKeys.set(sequence, held.claim.key);
		this.renewWhileRunning();
	}

	/**
	 * Only an acknowledgement counts: the trigger's own nak of the abandoned message comes back the same
	 * way and cannot be told from a workflow's. A message nak'd or terminated by the workflow keeps its
	 * claim until the lease ends (or its redelivery takes it back).
	 */
	async lateAnswer(sequence: number, kind: 'ack' | 'nak' | 'term'): Promise<void> {
		const key = this.abandonedKeys.get(sequence);
		const entry = key === undefined ? undefined : this.abandoned.get(key);
		if (kind !== 'ack' || !entry) return;
		this.forget(entry.held.claim.key);
		await entry.held.renewing;
		await this.record(entry.held);
	}

	/** Whether this message's key is recorded as processed (for a message the server gave up on). */
	async wasProcessed(message: DecodedMessage): Promise<boolean> {
		const key = this.keyOf(message);
		return key !== undefined && (this.recent.has(key) || (await this.store.isProcessed(key)));
	}

	/**
	 * The key's claim is ours, abandoned by an earlier delivery of this same message whose answer
	 * never came (the server redelivered it, so none will): take it back — renewing proves it is still
	 * ours — rather than wait out our own lease. Another message with the key waits as usual: the
	 * abandoned one may still have been acknowledged.
	 */
	private async takeBack(key: string, message: DecodedMessage): Promise<boolean> {
		const entry = this.abandoned.get(key);
		if (!entry || entry.sequence !== message.delivery.streamSequence) return false;
		await entry.held.renewing;
		// An unreachable bucket throws here and keeps the entry: the next look tries again.
		const renewed = await this.store.renew(entry.held.claim);
		this.forget(key);
		if (renewed.status !== 'renewed') return false;
		this.hold(message, { claim: renewed.claim });
		return true;
	}

	private forget(key: string): void {
		const entry = this.abandoned.get(key);
		if (!entry) return;
		this.abandoned.delete(key);
		this.abandonedKeys.delete(entry.sequence);
	}

	private hold(message: DecodedMessage, held: Held): void {
		this.claims.set(message, held);
		this.renewWhileRunning();
	}

	private async record(held: Held): Promise<void> {
		for (let attempt = 1; ; attempt++) {
			const failure = await this.store.complete(held.claim).then(
				() => undefined,
				(error: unknown) => error as Error,
			);
			if (!failure) {
				this.recent.add(held.claim.key);
				return;
			}
			if (attempt >= COMPLETE_ATTEMPTS) {
				this.logger.error(
					`Could not record idempotency key "${held.claim.key}" as processed (${failure.message}); the message is acknowledged, but a copy of it could run again once the claim's lease ends`,
				);
				return;
			}
			this.logger.warn(`Recording idempotency key "${held.claim.key}" as processed failed (${failure.message}); trying again`);
			await sleep(Math.min(5_000, 250 * 2 ** attempt));
		}
	}

	private async giveBack(held: Held): Promise<void> {
		if (held.lost) return;
		try {
			await this.store.release(held.claim);
		} catch (error) {
			// The message is handed back anyway; the claim then ends with its lease (tens of seconds).
			this.logger.warn(`Could not release idempotency key "${held.claim.key}": ${(error as Error).message}; it is free again when its lease ends`);
		}
	}

	private async take(message: DecodedMessage): Promise<Held | undefined> {
		const held = this.claims.get(message);
		if (!held) return undefined;
		this.claims.delete(message);
		await held.renewing;
		return held;
	}

	/** One timer renews every running claim a third of the lease before it would end, and forgets old abandoned ones. */
	private renewWhileRunning(): void {
		if (this.stopRenewal) return;
		this.stopRenewal = this.ticker.every(Math.max(1_000, Math.floor(this.leaseMs / 3)), () => this.renewAll());
	}

	private renewAll(): void {
		const now = Date.now();
		for (const [key, entry] of this.abandoned) if (entry.until <= now) this.forget(key);
		if (this.claims.size === 0 && this.abandoned.size === 0) {
			this.stopRenewal?.();
			this.stopRenewal = undefined;
			return;
		}
		for (const [message, held] of this.claims) {
			if (held.renewing || held.lost) continue;
			held.renewing = this.renew(message, held).finally(() => {
				held.renewing = undefined;
			});
		}
	}

	private async renew(message: DecodedMessage, held: Held): Promise<void> {
		try {
			const result = await this.store.renew(held.claim);
			if (result.status === 'renewed') {
				held.claim = result.claim;
				return;
			}
			held.lost = true;
			this.logger.warn(
				`The claim on idempotency key "${held.claim.key}" was taken over while its execution still ran (it could not be renewed in time); a copy of message ${message.delivery.streamSequence} may run elsewhere. Its success is still recorded`,
			);
		} catch (error) {
			// Tried again at the next renewal; the lease leaves room for two more attempts.
			this.logger.debug(`Renewing the claim on "${held.claim.key}" failed: ${(error as Error).message}`);
		}
	}

	private noKey(message: DecodedMessage): void {
		if (this.warnedNoKey) return;
		this.warnedNoKey = true;
		this.logger.warn(
			`Message ${message.delivery.streamSequence} has no idempotency key; such messages are processed without a duplicate check`,
		);
	}
}
