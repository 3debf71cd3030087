import { Ticker } from '../../../nodes/shared/execution/ticker';
import type { Claim, ProcessedKeyStore } from '../../../nodes/shared/idempotency';
import type { DecodedMessage } from '../../../nodes/JetStreamTrigger/consumer/hooks';
import { IdempotencyGuard } from '../../../nodes/JetStreamTrigger/consumer/idempotencyGuard';
import { Outage } from '../../../nodes/shared/n8n/outage';
import type { TransportLogger } from '../../../nodes/shared/transport/connect';
import type { Delivery } from '../../../nodes/shared/transport/delivery';

/** The idempotency guard's claims: renewed while running, given back, never piling up. */

function fakeStore() {
	const calls: string[] = [];
	let revision = 1;
	const store = {
		bucket: 'b',
		stats: {},
		claim: async (key: string) => {
			calls.push(`claim ${key}`);
			return { status: 'claimed', claim: { key, storageKey: `k.${key}`, revision: revision++, claimedAt: Date.now() } as Claim, takenOver: false };
		},
		renew: async (claim: Claim) => {
			calls.push(`renew ${claim.key}@${claim.revision}`);
			return { status: 'renewed', claim: { ...claim, revision: revision++ } };
		},
		complete: async (claim: Claim) => {
			calls.push(`complete ${claim.key}@${claim.revision}`);
			return { status: 'completed', takenOver: false };
		},
		release: async (claim: Claim) => {
			calls.push(`release ${claim.key}@${claim.revision}`);
			return true;
		},
	} as unknown as ProcessedKeyStore;
	return { store, calls };
}

const message = (key: string): DecodedMessage => ({
	delivery: { streamSequence: 1, headers: {}, subject: 's', working: () => undefined } as unknown as Delivery,
	payload: { kind: 'json', value: { orderId: key } },
});

const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const keyOf = (m: DecodedMessage) => (m.payload.value as { orderId: string }).orderId;
const outage = (log: TransportLogger = logger) => new Outage('The idempotency bucket "b"', { logger: log, recordFailure: () => undefined }, { baseDelayMs: 100, maxDelayMs: 1_000 }, 'hint');

describe('IdempotencyGuard', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('renews a running claim every third of its lease and records it with the newest revision', async () => {
		const { store, calls } = fakeStore();
		const guard = new IdempotencyGuard(store, keyOf, logger, new Ticker(100), 6_000, outage());
		const m = message('A');
		expect(await guard.check(m)).toEqual({ action: 'process' });
		await jest.advanceTimersByTimeAsync(4_100);
		expect(calls).toEqual(['claim A', 'renew A@1', 'renew A@2']);
		await guard.processed(m);
		expect(calls.at(-1)).toBe('complete A@3');
		expect(guard.claimCount).toBe(0);
		await jest.advanceTimersByTimeAsync(5_000);
		expect(calls.filter((c) => c.startsWith('renew'))).toHaveLength(2);
	});

	it('holds a claim only while its message runs: recorded, given back, or left to its lease after a timeout', async () => {
		const { store, calls } = fakeStore();
		const guard = new IdempotencyGuard(store, keyOf, logger, new Ticker(100), 30_000, outage());
		const messages = ['A', 'B', 'C'].map(message);
		for (const m of messages) await guard.check(m);
		expect(guard.claimCount).toBe(3);
		await guard.processed(messages[0]);
		await guard.failed(messages[1]);
		guard.timedOut(messages[2]);
		expect(guard.claimCount).toBe(0);
		expect(calls).toEqual(['claim A', 'claim B', 'claim C', 'complete A@1', 'release B@2']);
		// A second answer for the same message finds nothing to do.
		await guard.failed(messages[0]);
		expect(calls).toHaveLength(5);
	});

	it('skips a copy of a message whose key it recorded without asking the bucket, but only once the record was confirmed', async () => {
		const { store, calls } = fakeStore();
		const complete = store.complete.bind(store);
		let refuse = true;
		(store as unknown as { complete: (c: Claim) => Promise<unknown> }).complete = async (claim: Claim) => {
			if (refuse) throw new Error('No answer (timeout)');
			return await complete(claim);
		};
		const guard = new IdempotencyGuard(store, keyOf, logger, new Ticker(100), 30_000, outage(), 60_000);
		// A record still unconfirmed (retrying) is not known: a copy asks the bucket (and waits there).
		const [first, copy] = [message('A'), message('A')];
		expect(await guard.check(first)).toEqual({ action: 'process' });
		const recording = guard.processed(first);
		await jest.advanceTimersByTimeAsync(0);
		expect(await guard.check(copy)).toEqual({ action: 'process' });
		await guard.failed(copy);
		expect(calls).toEqual(['claim A', 'claim A', 'release A@2']);
		refuse = false;
		await jest.advanceTimersByTimeAsync(1_000);
		await recording;
		expect(await guard.check(message('A'))).toMatchObject({ action: 'skip', reason: expect.stringMatching(/processed by this trigger/) });
		expect(await guard.wasProcessed(message('A'))).toBe(true);
		// A failed key is given back, never remembered.
		const b = message('B');
		await guard.check(b);
		await guard.failed(b);
		expect(await guard.check(message('B'))).toEqual({ action: 'process' });
		expect(calls.filter((c) => c.startsWith('claim'))).toEqual(['claim A', 'claim A', 'claim B', 'claim B']);
		// Forgotten after its time: the bucket answers again.
		await jest.advanceTimersByTimeAsync(60_000);
		await guard.check(message('A'));
		expect(calls.at(-1)).toBe('claim A');
	});

	it('says "wait" for an unreachable bucket, never "process" or "skip", and warns once per outage', async () => {
		const warnings: string[] = [];
		const { store } = fakeStore();
		let down = true;
		const claim = store.claim.bind(store);
		(store as unknown as { claim: (k: string) => Promise<unknown> }).claim = async (key: string) => {
			if (down) throw new Error('No answer (timeout)');
			return await claim(key);
		};
		const log = { ...logger, warn: (m: string) => void warnings.push(m), info: (m: string) => void warnings.push(m) };
		const guard = new IdempotencyGuard(store, keyOf, log, new Ticker(100), 30_000, outage(log));
		expect(await guard.check(message('A'))).toMatchObject({ action: 'wait', outage: true });
		expect(await guard.check(message('B'))).toMatchObject({ action: 'wait', outage: true });
		down = false;
		expect(await guard.check(message('A'))).toEqual({ action: 'process' });
		expect(warnings).toHaveLength(2);
		expect(warnings[0]).toMatch(/cannot be reached \(No answer \(timeout\)\)/);
		expect(warnings[1]).toMatch(/answers again after/);
	});
});
