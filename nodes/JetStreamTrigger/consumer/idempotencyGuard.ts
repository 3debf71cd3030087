import { toNodeError } from '../../shared/errors';
import { sleep } from '../../shared/execution/sleep';
import type { Claim, ProcessedKeyStore } from '../../shared/idempotency';
import type { TransportLogger } from '../../shared/transport/connect';
import type { DecodedMessage, GuardVerdict, MessageGuard } from './hooks';
import type { KeyOf } from './idempotencyKey';

/** About half a minute of retries: long enough for a server restart. */
const COMPLETE_ATTEMPTS = 8;

/**
 * Consumer-side idempotency: claim a message's key before its execution (exactly one claimer wins,
 * across instances), mark it processed after success, give it back after a failure. A key already
 * processed is acknowledged and skipped; one claimed elsewhere comes back when that claim should be
 * decided.
 */
export class IdempotencyGuard implements MessageGuard {
	private readonly claims = new Map<DecodedMessage, Claim>();

	private warnedNoKey = false;

	constructor(
		private readonly store: ProcessedKeyStore,
		private readonly keyOf: KeyOf,
		private readonly logger: TransportLogger,
		/** Bounds for handing back a message whose key another execution holds. */
		private readonly deferMs: { min: number; max: number },
	) {}

	get stats() {
		return this.store.stats;
	}

	async check(message: DecodedMessage): Promise<GuardVerdict> {
		const key = this.keyOf(message);
		if (key === undefined) {
			this.noKey(message);
			return { action: 'process' };
		}
		const result = await this.store.claim(key);
		switch (result.status) {
			case 'claimed':
				this.claims.set(message, result.claim);
				return { action: 'process' };
			case 'already-processed':
				return { action: 'skip', reason: `its idempotency key "${key}" was already processed (${result.processedAt})` };
			default: {
				const untilExpiry = Date.parse(result.leaseExpiresAt) - Date.now();
				const delayMs = Math.min(this.deferMs.max, Math.max(this.deferMs.min, untilExpiry));
				return { action: 'defer', reason: `another execution is processing idempotency key "${key}"`, delayMs };
			}
		}
	}

	/**
	 * Records success, retrying through a short server outage: if this were given up, the redelivered
	 * message would wait out the claim's lease and then run a second time.
	 */
	async processed(message: DecodedMessage): Promise<void> {
		const claim = this.take(message);
		if (!claim) return;
		for (let attempt = 1; ; attempt++) {
			const failure = await this.store.complete(claim).then(
				() => undefined,
				(error: unknown) => error as Error,
			);
			if (!failure) return;
			// Giving up makes the unit fail: its messages are handed back and the claim waits out its lease.
			if (attempt >= COMPLETE_ATTEMPTS) throw toNodeError(failure);
			this.logger.warn(`Recording idempotency key "${claim.key}" as processed failed (${failure.message}); trying again`);
			message.delivery.working();
			await sleep(Math.min(5_000, 250 * 2 ** attempt));
		}
	}

	async failed(message: DecodedMessage): Promise<void> {
		const claim = this.take(message);
		if (!claim) return;
		try {
			await this.store.release(claim);
		} catch (error) {
			// The message is handed back anyway; the claim then expires after its lease.
			this.logger.warn(`Could not release idempotency key "${claim.key}": ${(error as Error).message}`);
		}
	}

	private take(message: DecodedMessage): Claim | undefined {
		const claim = this.claims.get(message);
		this.claims.delete(message);
		return claim;
	}

	private noKey(message: DecodedMessage): void {
		if (this.warnedNoKey) return;
		this.warnedNoKey = true;
		this.logger.warn(
			`Message ${message.delivery.streamSequence} has no idempotency key; such messages are processed without a duplicate check`,
		);
	}
}
