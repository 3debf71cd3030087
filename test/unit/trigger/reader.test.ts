import { SessionReader } from '../../../nodes/JetStreamTrigger/consumer/reader';
import type { ConsumeSession, Delivery } from '../../../nodes/shared/transport/consume';

/** A consume session that yields `count` deliveries, then ends when closed (as the client's does). */
function session(count: number, { endAfterAll = true } = {}): { session: ConsumeSession; close(): void } {
	let closed = false;
	let wake: (() => void) | undefined;
	const deliveries = Array.from({ length: count }, (_, i) => ({ streamSequence: i + 1 }) as unknown as Delivery);
	const iterable = {
		async *[Symbol.asyncIterator]() {
			yield* deliveries;
			if (endAfterAll) return;
			while (!closed) await new Promise<void>((resolve) => (wake = resolve));
		},
		close: () => undefined,
	};
	return {
		session: iterable as unknown as ConsumeSession,
		close: () => {
			closed = true;
			wake?.();
		},
	};
}

describe('SessionReader (read-ahead of the consume loop)', () => {
	it('reads at most its read-ahead before anyone asks, keeping each alive until handed out', async () => {
		const kept = new Set<number>();
		const s = session(10, { endAfterAll: false });
		const reader = new SessionReader(s.session, 3, (d) => {
			kept.add(d.streamSequence);
			return () => kept.delete(d.streamSequence);
		});
		await new Promise((resolve) => setImmediate(resolve));
		expect([...kept]).toEqual([1, 2, 3]);
		const first = await reader.next();
		expect(first).toMatchObject({ streamSequence: 1 });
		await new Promise((resolve) => setImmediate(resolve));
		expect([...kept].sort()).toEqual([2, 3, 4]);
		s.close();
		const { deliveries, failure } = await reader.rest();
		expect(deliveries.map((d) => d.streamSequence)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(failure).toBeUndefined();
		expect(kept.size).toBe(0);
	});

	it('hands back everything when closed with a full read-ahead (it must not wait for a reader that is gone)', async () => {
		const s = session(50, { endAfterAll: false });
		const reader = new SessionReader(s.session, 2, () => () => undefined);
		await new Promise((resolve) => setImmediate(resolve));
		s.close();
		const { deliveries } = await reader.rest();
		expect(deliveries).toHaveLength(50);
	});

	it('says timeout when nothing arrives in time, and end once the session ended', async () => {
		const s = session(0, { endAfterAll: false });
		const reader = new SessionReader(s.session, 2, () => () => undefined);
		expect(await reader.next(20)).toBe('timeout');
		s.close();
		expect(await reader.next()).toBe('end');
	});

	it('reports a failed session after handing out what it had read', async () => {
		const failing = {
			async *[Symbol.asyncIterator]() {
				yield { streamSequence: 1 } as unknown as Delivery;
				throw new Error('consumer deleted');
			},
		} as unknown as ConsumeSession;
		const reader = new SessionReader(failing, 5, () => () => undefined);
		expect(await reader.next()).toMatchObject({ streamSequence: 1 });
		expect(await reader.next()).toBe('end');
		const { deliveries, failure } = await reader.rest();
		expect(deliveries).toEqual([]);
		expect(failure?.message).toBe('consumer deleted');
	});
});
