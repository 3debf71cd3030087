import { RecentlyProcessed } from '../../../nodes/JetStreamTrigger/consumer/recentlyProcessed';

describe('RecentlyProcessed', () => {
	it('knows a key for its time, then forgets it', () => {
		let now = 1_000;
		const recent = new RecentlyProcessed(60_000, () => now);
		expect(recent.has('A')).toBe(false);
		recent.add('A');
		now += 59_999;
		expect(recent.has('A')).toBe(true);
		now += 1;
		expect(recent.has('A')).toBe(false);
	});

	it('keeps at most 10 000 keys, forgetting the oldest first', () => {
		const recent = new RecentlyProcessed(60_000, () => 0);
		for (let i = 0; i <= 10_000; i++) recent.add(`k${i}`);
		expect(recent.has('k0')).toBe(false);
		expect(recent.has('k1')).toBe(true);
		expect(recent.has('k10000')).toBe(true);
	});
});
