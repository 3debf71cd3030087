import { BoundedMap } from '../../../nodes/shared/execution/boundedMap';

describe('BoundedMap', () => {
	it('keeps the newest entries up to its capacity and forgets the oldest first', () => {
		const map = new BoundedMap<number, string>(3);
		for (let n = 1; n <= 5; n++) map.set(n, `v${n}`);
		expect(map.size).toBe(3);
		expect([1, 2, 3, 4, 5].map((n) => map.has(n))).toEqual([false, false, true, true, true]);
		expect(map.get(5)).toBe('v5');
		expect(map.get(1)).toBeUndefined();
	});

	it('counts an entry set again as new: the one set longest ago goes instead', () => {
		const map = new BoundedMap<string, number>(3);
		map.set('a', 1);
		map.set('b', 2);
		map.set('c', 3);
		map.set('a', 10);
		map.set('d', 4);
		expect(map.has('a')).toBe(true);
		expect(map.get('a')).toBe(10);
		expect(map.has('b')).toBe(false);
		map.set('e', 5);
		expect(map.has('c')).toBe(false);
		expect(map.has('a')).toBe(true);
	});

	it('does not forget an entry set again when its old slot comes round', () => {
		const map = new BoundedMap<string, number>(3);
		map.set('a', 1);
		map.set('b', 2);
		map.set('a', 3);
		map.set('c', 4);
		expect([map.has('a'), map.has('b'), map.has('c')]).toEqual([true, true, true]);
		expect(map.get('a')).toBe(3);
	});

	it('keeps an entry set again exactly one capacity later, in the slot it had', () => {
		const map = new BoundedMap<string, number>(2);
		map.set('a', 1);
		map.set('b', 2);
		map.set('a', 3);
		expect(map.get('a')).toBe(3);
		expect(map.get('b')).toBe(2);
		map.set('c', 4);
		expect([map.has('a'), map.has('b'), map.has('c')]).toEqual([true, false, true]);
	});

	it('deletes on request, and a deleted entry set again is kept', () => {
		const map = new BoundedMap<number, true>(2);
		map.set(1, true);
		expect(map.delete(1)).toBe(true);
		expect(map.delete(1)).toBe(false);
		expect(map.size).toBe(0);
		map.set(1, true);
		map.set(2, true);
		expect(map.size).toBe(2);
		map.set(3, true);
		expect([map.has(1), map.has(2), map.has(3)]).toEqual([false, true, true]);
	});

	it('never holds more than its capacity whatever the mix of keys', () => {
		const map = new BoundedMap<number, number>(50);
		const model: number[] = [];
		for (let n = 0; n < 5_000; n++) {
			const key = (n * 7919) % 120;
			map.set(key, n);
			const at = model.indexOf(key);
			if (at >= 0) model.splice(at, 1);
			model.push(key);
			if (model.length > 50) model.shift();
			expect(map.size).toBeLessThanOrEqual(50);
		}
		for (const key of model) expect(map.has(key)).toBe(true);
	});

	it('refuses a capacity below 1', () => {
		expect(() => new BoundedMap(0)).toThrow('capacity of at least 1');
	});
});
