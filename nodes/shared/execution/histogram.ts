/**
 * Durations counted into fixed buckets — the same edges Prometheus gets — so percentiles cost a few
 * additions per observation, and histograms of several triggers (or n8n instances) add up bucket by
 * bucket. A percentile is read by linear interpolation inside its bucket.
 */

/** Upper edges in seconds; the last bucket (above 1 h) has none. */
export const BUCKET_EDGES_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export class Histogram {
	/** One count per bucket, the last one for everything above the last edge. */
	readonly counts: number[];

	/** Every observation added up (Prometheus' `_sum`); not kept when counts are read back from JSON. */
	sumMs = 0;

	constructor(counts?: readonly number[]) {
		this.counts = counts && counts.length === BUCKET_EDGES_S.length + 1 ? [...counts] : new Array<number>(BUCKET_EDGES_S.length + 1).fill(0);
	}

	get total(): number {
		return this.counts.reduce((sum, n) => sum + n, 0);
	}

	observe(ms: number): void {
		this.sumMs += Math.max(0, ms);
		const seconds = Math.max(0, ms) / 1000;
		let i = 0;
		while (i < BUCKET_EDGES_S.length && seconds > BUCKET_EDGES_S[i]) i++;
		this.counts[i]++;
	}

	add(other: Histogram): void {
		other.counts.forEach((n, i) => (this.counts[i] += n));
		this.sumMs += other.sumMs;
	}

	/** The `q` quantile (0.5, 0.95…) in ms; undefined without observations. */
	quantileMs(q: number): number | undefined {
		const total = this.total;
		if (total === 0) return undefined;
		const rank = q * total;
		let seen = 0;
		for (let i = 0; i < this.counts.length; i++) {
			if (this.counts[i] === 0 || seen + this.counts[i] < rank) {
				seen += this.counts[i];
				continue;
			}
			const low = i === 0 ? 0 : BUCKET_EDGES_S[i - 1];
			const high = BUCKET_EDGES_S[i] ?? low;
			return Math.round(1000 * (low + ((high - low) * (rank - seen)) / this.counts[i]) * 10) / 10;
		}
		return BUCKET_EDGES_S[BUCKET_EDGES_S.length - 1] * 1000;
	}

	/** p50 / p95 / p99 in ms. */
	percentiles(): { p50?: number; p95?: number; p99?: number } {
		return { p50: this.quantileMs(0.5), p95: this.quantileMs(0.95), p99: this.quantileMs(0.99) };
	}
}
