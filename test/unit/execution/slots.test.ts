import { getEventListeners } from 'node:events';

import { Slots } from '../../../nodes/shared/execution/slots';

describe('Slots (the parallel limit)', () => {
	it('grants up to its capacity, then one waiter per release, in order', async () => {
		const slots = new Slots(2);
		const stop = new AbortController();
		expect(await slots.acquire(stop.signal)).toBe(true);
		expect(await slots.acquire(stop.signal)).toBe(true);
		const order: number[] = [];
		const waiting = [3, 4].map(async (n) => {
			expect(await slots.acquire(stop.signal)).toBe(true);
			order.push(n);
		});
		expect(slots.inUse).toBe(2);
		slots.release();
		slots.release();
		await Promise.all(waiting);
		expect(order).toEqual([3, 4]);
		expect(slots.inUse).toBe(2);
	});

	it('holds one abort listener for any number of waiters, and aborting refuses them all', async () => {
		const slots = new Slots(1);
		const stop = new AbortController();
		await slots.acquire(stop.signal);
		const waiters = Array.from({ length: 50 }, async () => await slots.acquire(stop.signal));
		expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
		stop.abort();
		expect(await Promise.all(waiters)).toEqual(Array.from({ length: 50 }, () => false));
		slots.release();
		expect(slots.inUse).toBe(0);
		expect(await slots.idle(10)).toBe(true);
	});
});
