import type { Claim, ProcessedKeyStore } from '../../shared/idempotency';
import type { TransportLogger } from '../../shared/transport/connect';
import type { DecodedMessage, GuardVerdict, MessageGuard } from './hooks';
import type { KeyOf } from './idempotencyKey';

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

	async processed(message: DecodedMessage): Promise<void> {
		const claim = this.take(message);
		if (claim) await this.store.complete(claim);
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
