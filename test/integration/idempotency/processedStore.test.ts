import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { ProcessedKeyStore, processedBucketName, type ProcessedStoreOptions } from '../../../nodes/shared/idempotency';
import { createClient, parseCredentials, type NatsClient } from '../../../nodes/shared/transport';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';

/** Claim / complete / release on a real KV bucket, with separate connections standing for separate n8n processes. */

let server: NatsServer;
const connections: NatsConnection[] = [];

beforeAll(async () => {
	server = await startNatsServer({ label: 'idempotency' });
});

afterEach(async () => {
	await Promise.all(connections.splice(0).map((nc) => nc.close()));
});

afterAll(async () => {
	await server.cleanup();
});

/** A new connection: a restarted or second n8n instance. */
async function newClient(): Promise<NatsClient> {
	const nc = await connect({ servers: server.url, name: 'idempotency-test' });
	connections.push(nc);
	return createClient(nc, parseCredentials({ servers: server.url }));
}

async function openStore(options: ProcessedStoreOptions): Promise<ProcessedKeyStore> {
	return ProcessedKeyStore.open(await newClient(), options);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('processed-key store', () => {
	it('claims once, reports in-progress while claimed, already-processed once completed — also after reconnecting', async () => {
		const bucket = uniqueName('idem');
		const store = await openStore({ bucket });

		const claimed = await store.claim('order-1');
		const whileRunning = await store.claim('order-1');
		if (claimed.status !== 'claimed') throw new Error(`expected a claim, got ${claimed.status}`);
		const completed = await store.complete(claimed.claim);
		const afterwards = await store.claim('order-1');
		const restarted = await openStore({ bucket });
		const afterRestart = await restarted.claim('order-1');

		expect(claimed.takenOver).toBe(false);
		expect(whileRunning.status).toBe('in-progress');
		expect(completed).toEqual({ status: 'completed', takenOver: false });
		expect(afterwards.status).toBe('already-processed');
		expect(afterRestart.status).toBe('already-processed');
		expect(await restarted.isProcessed('order-1')).toBe(true);
		expect(await restarted.isProcessed('order-2')).toBe(false);
		expect(store.stats).toMatchObject({ claimed: 1, inProgressSkipped: 1, duplicatesSkipped: 1, completed: 1 });
		expect(restarted.stats.duplicatesSkipped).toBe(1);
	});

	it('lets a key be claimed again after the failed execution released it', async () => {
		const store = await openStore({ bucket: uniqueName('idem') });
		const first = await store.claim('order-2');
		if (first.status !== 'claimed') throw new Error('expected a claim');

		expect(await store.release(first.claim)).toBe(true);
		const again = await store.claim('order-2');

		expect(again.status).toBe('claimed');
		// A stale claim token no longer matches the entry: releasing it changes nothing.
		expect(await store.release(first.claim)).toBe(false);
		expect((await store.claim('order-2')).status).toBe('in-progress');
		expect(store.stats).toMatchObject({ released: 1, releaseConflicts: 1 });
	});

	it('gives exactly one of two processes the claim when both claim the same keys at once', async () => {
		const bucket = uniqueName('idem');
		const [a, b] = await Promise.all([openStore({ bucket }), openStore({ bucket })]);
		const keys = Array.from({ length: 25 }, (_, i) => `race-${i}`);

		const results = await Promise.all(keys.map((key) => Promise.all([a.claim(key), b.claim(key)])));

		for (const [ra, rb] of results) {
			const winners = [ra, rb].filter((r) => r.status === 'claimed');
			expect(winners).toHaveLength(1);
			expect([ra, rb].filter((r) => r.status === 'in-progress')).toHaveLength(1);
		}
		expect(a.stats.claimed + b.stats.claimed).toBe(keys.length);
	});

	it('lets another process take over a claim whose lease expired (crashed holder), exactly once', async () => {
		const bucket = uniqueName('idem');
		const crashed = await openStore({ bucket, leaseMs: 300 });
		const held = await crashed.claim('order-3');
		if (held.status !== 'claimed') throw new Error('expected a claim');
		const [x, y] = await Promise.all([openStore({ bucket, leaseMs: 300 }), openStore({ bucket, leaseMs: 300 })]);
		expect((await x.claim('order-3')).status).toBe('in-progress');

		await sleep(600);
		const [rx, ry] = await Promise.all([x.claim('order-3'), y.claim('order-3')]);

		const winners = [rx, ry].filter((r) => r.status === 'claimed');
		expect(winners).toHaveLength(1);
		expect(winners[0]).toMatchObject({ takenOver: true });
		// The "crashed" holder was only slow: its release must not remove the new owner's claim…
		expect(await crashed.release(held.claim)).toBe(false);
		// …and completing still records the key as processed.
		expect(await crashed.complete(held.claim)).toEqual({ status: 'completed', takenOver: true });
		expect((await x.claim('order-3')).status).toBe('already-processed');
	});

	it('judges a lease by how long a claim went unrenewed on its own clock, so a skewed clock neither takes over a live claim nor waits for ever', async () => {
		const bucket = uniqueName('idem');
		const owner = await openStore({ bucket, leaseMs: 1_500 });
		const held = await owner.claim('order-9');
		if (held.status !== 'claimed') throw new Error('expected a claim');
		// Two other instances, one whose clock runs an hour ahead of the server's, one an hour behind.
		const ahead = await openStore({ bucket, leaseMs: 1_500, now: () => Date.now() + 3_600_000 });
		const behind = await openStore({ bucket, leaseMs: 1_500, now: () => Date.now() - 3_600_000 });
		expect((await ahead.claim('order-9')).status).toBe('in-progress');
		expect((await behind.claim('order-9')).status).toBe('in-progress');

		// The owner renews its claim: however long that goes on, nobody takes it over.
		let claim = held.claim;
		for (let i = 0; i < 3; i++) {
			await sleep(700);
			const renewed = await owner.renew(claim);
			if (renewed.status !== 'renewed') throw new Error('expected the renewal to succeed');
			claim = renewed.claim;
			expect((await ahead.claim('order-9')).status).toBe('in-progress');
		}
		// Once it stops renewing (its process died), the key is free a full lease after a claimer first saw
		// its last revision, whatever that claimer's clock says.
		expect((await behind.claim('order-9')).status).toBe('in-progress');
		await sleep(1_700);
		expect((await behind.claim('order-9')).status).toBe('claimed');
		expect((await ahead.claim('order-9')).status).toBe('in-progress');
	});

	it('stores long or unusual keys as a hash and keeps them apart', async () => {
		const store = await openStore({ bucket: uniqueName('idem'), keyPrefix: 'consumerA' });
		const long = `customer ${'x'.repeat(500)} / ünïcode.and.dots`;

		const first = await store.claim(long);
		const other = await store.claim(`${long}!`);

		expect(first.status).toBe('claimed');
		expect(other.status).toBe('claimed');
		if (first.status === 'claimed') expect(first.claim.storageKey).toMatch(/^consumerA\.h\.[0-9a-f]{64}$/);
		expect((await store.claim(long)).status).toBe('in-progress');
	});

	it('creates the bucket with the retention as max age, and binds without creating when told to', async () => {
		const stream = uniqueName('ORDERS');
		const client = await newClient();
		await expect(ProcessedKeyStore.open(client, { stream, consumer: 'worker', create: false })).rejects.toThrow(
			/idempotency bucket "n8n_processed_.*" does not exist/,
		);

		const store = await ProcessedKeyStore.open(client, { stream, consumer: 'worker', retentionMs: 3_600_000 });
		const bound = await ProcessedKeyStore.open(client, { stream, consumer: 'worker', create: false });

		expect(store.bucket).toBe(processedBucketName(stream, 'worker'));
		const info = await (await jetstreamManager(client.nc)).streams.info(`KV_${store.bucket}`);
		expect(info.config.max_age).toBe(3_600_000 * 1_000_000);
		expect(info.config.storage).toBe('file');
		expect(bound.bucket).toBe(store.bucket);
		expect((await store.claim('k')).status).toBe('claimed');
		expect((await bound.claim('k')).status).toBe('in-progress');
	});
});
