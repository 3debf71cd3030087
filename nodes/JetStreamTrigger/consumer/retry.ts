import type { RetrySettings } from '../settings';

/** Up to this share of the delay is added at random, so failed messages do not all return at once. */
const JITTER = 0.2;

/**
 * How long a failed message waits before the next delivery. The consumer's own backoff list wins
 * (one entry per delivery, the last one repeating); otherwise the delay doubles from the base, with
 * jitter, up to the maximum. The delay is always passed explicitly: a bare nak ignores the backoff.
 */
export function retryDelayMs(deliveryCount: number, backoffMs: number[], retry: RetrySettings, random = Math.random): number {
	const attempt = Math.max(1, deliveryCount);
	if (backoffMs.length > 0) return backoffMs[Math.min(attempt - 1, backoffMs.length - 1)];
	const exponential = retry.baseDelayMs * 2 ** Math.min(attempt - 1, 30);
	return Math.round(Math.min(retry.maxDelayMs, exponential * (1 + JITTER * random())));
}

/** True when the server will not deliver this message again after a failure. */
export function isLastDelivery(deliveryCount: number, maxDeliver: number): boolean {
	return maxDeliver > 0 && deliveryCount >= maxDeliver;
}
