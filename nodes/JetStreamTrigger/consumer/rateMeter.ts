/**
 * Executions finished per second, over about the last second: two one-second buckets, the older one
 * weighted by how much of it still falls inside the window. Cheap enough to read on every message.
 */
export class RateMeter {
	private current = 0;

	private previous = 0;

	private bucketStart: number;

	constructor(private readonly now: () => number = Date.now) {
		this.bucketStart = now();
	}

	record(count = 1): void {
		this.roll();
		this.current += count;
	}

	perSecond(): number {
		this.roll();
		const intoBucket = Math.min(1, (this.now() - this.bucketStart) / 1000);
		return this.current + this.previous * (1 - intoBucket);
	}

	private roll(): void {
		const elapsed = this.now() - this.bucketStart;
		if (elapsed < 1000) return;
		this.previous = elapsed < 2000 ? this.current : 0;
		this.current = 0;
		this.bucketStart += elapsed < 2000 ? 1000 : elapsed;
	}
}
