/** What one pull request may ask, and how many asked for are still on their way. */

/** What the consumer allows a pull request to ask, read at activation and again after a refusal. */
export interface PullLimits {
	/** How long one request stays open at the server. */
	expiresMs: number;
	/** The server's idle heartbeat for an open request: two missed ones mean the request was lost. */
	heartbeatMs: number;
	/** The consumer's largest batch per request (`max_batch`), 0 = no limit. */
	maxBatch: number;
	/** The priority group a request must name (a consumer with priority groups, 2.11+). */
	group?: string;
	/** The group pins one client (`pinned_client`): requests carry the pin the server gave. */
	pinned?: boolean;
}

/** Messages asked for that have neither arrived nor been reported expired. */
export class Outstanding {
	private count = 0;

	get value(): number {
		return this.count;
	}

	add(n: number): void {
		this.count += n;
	}

	/** `n` fewer are on their way (arrived, or a request ended with `n` undelivered); never below 0. */
	settle(n = 1): void {
		this.count = Math.max(0, this.count - n);
	}

	/** Nothing is on its way any more (the requests were lost). */
	forget(): void {
		this.count = 0;
	}
}

/** Limits whose requests stay within a consumer's `max_expires` (and whose heartbeat the server accepts). */
export function fitExpires(limits: PullLimits, maxExpiresMs: number): PullLimits {
	if (maxExpiresMs <= 0 || limits.expiresMs <= maxExpiresMs) return limits;
	// A little under the limit: the server compares against its own clock a moment after reading ours.
	const expiresMs = Math.max(1, Math.floor(maxExpiresMs - Math.min(100, maxExpiresMs / 10)));
	// The server refuses a heartbeat longer than half the request's life.
	return { ...limits, expiresMs, heartbeatMs: Math.min(limits.heartbeatMs, Math.max(1, Math.floor(expiresMs / 3))) };
}

/** A Go duration as the server writes it ("2s", "1m30s", "500ms", "1.5s") in ms; undefined when unreadable. */
export function goDurationMs(text: string): number | undefined {
	const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
	const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)];
	if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/[^\dhmnsuµ.]/g, '')) return undefined;
	return parts.reduce((sum, [, value, unit]) => sum + Number(value) * units[unit], 0);
}

/** The limits a refusal names ("Exceeded MaxRequestBatch of 10", "Exceeded MaxRequestExpires of 2s"); undefined when nothing changes. */
export function limitsAfterRefusal(limits: PullLimits, description: string): PullLimits | undefined {
	const batch = /Exceeded MaxRequestBatch of (\d+)/i.exec(description);
	if (batch && Number(batch[1]) > 0 && Number(batch[1]) !== limits.maxBatch) return { ...limits, maxBatch: Number(batch[1]) };
	const expires = /Exceeded MaxRequestExpires of (\S+)/i.exec(description);
	const maxMs = expires ? goDurationMs(expires[1]) : undefined;
	if (maxMs === undefined || maxMs <= 0) return undefined;
	const fitted = fitExpires(limits, maxMs);
	return fitted.expiresMs !== limits.expiresMs ? fitted : undefined;
}
