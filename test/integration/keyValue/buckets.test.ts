import { connectionPool } from '../../../nodes/shared/transport';
import { atLeast } from '../../../nodes/shared/serverVersion';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { inspector, installedServerVersion, json, kvRunner, type Inspector } from './harness';

/** Key-Value buckets through the JetStream node: create, ensure, get, list, delete. */

let server: NatsServer;
let raw: Inspector;
const run = kvRunner(() => server);
const created: string[] = [];

function bucketName(): string {
	const name = uniqueName('B');
	created.push(name);
	return name;
}

beforeAll(async () => {
	server = await startNatsServer({ label: 'kv-buckets' });
	raw = await inspector(server);
});

afterEach(async () => {
	for (const bucket of created.splice(0)) {
		// The test may have deleted it already (or never got to create it): nothing left to clean.
		await raw.jsm.streams.delete(`KV_${bucket}`).catch(() => undefined);
	}
});

afterAll(async () => {
	await raw?.close();
	await connectionPool.closeAll();
	await server?.cleanup();
});

describe('JetStream node → Key-Value buckets', () => {
	it('creates a bucket and stores history, TTL, size limits, storage and description on it', async () => {
		const bucket = bucketName();
		const [out] = json(
			await run({
				operation: 'createBucket',
				kvBucket: bucket,
				kvHistory: 5,
				kvTtlSeconds: 3600,
				kvBucketOptions: { maxBytes: 1_048_576, maxValueSize: 4096, storage: 'memory', description: 'order states' },
			}),
		);

		expect(out).toMatchObject({
			action: 'created',
			created: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
			bucket,
			stream: `KV_${bucket}`,
			history: 5,
			ttlSeconds: 3600,
			maxBytes: 1_048_576,
			maxValueSize: 4096,
			storage: 'memory',
			replicas: 1,
			description: 'order states',
			values: 0,
		});
		const { config } = await raw.jsm.streams.info(`KV_${bucket}`);
		expect(config).toMatchObject({
			max_msgs_per_subject: 5,
			max_age: 3600 * 1e9,
			max_bytes: 1_048_576,
			max_msg_size: 4096,
			storage: 'memory',
			description: 'order states',
			subjects: [`$KV.${bucket}.>`],
		});
	});

	it('creating an existing bucket with the same settings changes nothing; with other settings it says which differ', async () => {
		const bucket = bucketName();
		await run({ operation: 'createBucket', kvBucket: bucket, kvHistory: 3, kvTtlSeconds: 0, kvBucketOptions: {} });

		const [again] = json(await run({ operation: 'createBucket', kvBucket: bucket, kvHistory: 3, kvTtlSeconds: 0, kvBucketOptions: {} }));
		expect(again).toMatchObject({ action: 'unchanged', history: 3 });

		await expect(
			run({ operation: 'createBucket', kvBucket: bucket, kvHistory: 10, kvTtlSeconds: 0, kvBucketOptions: {} }),
		).rejects.toThrow(`Key-Value bucket "${bucket}" already exists with other settings: history is 3, not 10`);
		expect((await raw.jsm.streams.info(`KV_${bucket}`)).config.max_msgs_per_subject).toBe(3);
	});

	it('ensure creates a missing bucket, then reports no change, then updates history and TTL and reports what changed', async () => {
		const bucket = bucketName();
		const params = { operation: 'upsertBucket', kvBucket: bucket, kvBucketOptions: {} };

		const [first] = json(await run({ ...params, kvHistory: 2, kvTtlSeconds: 600 }));
		const [second] = json(await run({ ...params, kvHistory: 2, kvTtlSeconds: 600 }));
		const [third] = json(await run({ ...params, kvHistory: 8, kvTtlSeconds: 60 }));

		expect(first).toMatchObject({ action: 'created', changes: [], history: 2, ttlSeconds: 600 });
		expect(second).toMatchObject({ action: 'unchanged', changes: [] });
		expect(third).toMatchObject({
			action: 'updated',
			created: first.created,
			history: 8,
			ttlSeconds: 60,
			changes: [
				{ setting: 'history', from: 2, to: 8 },
				{ setting: 'ttlSeconds', from: 600, to: 60 },
			],
		});
		const { config } = await raw.jsm.streams.info(`KV_${bucket}`);
		expect(config.max_msgs_per_subject).toBe(8);
		expect(config.max_age).toBe(60 * 1e9);
	});

	it('ensure refuses to change the storage of an existing bucket, and leaves it as it was', async () => {
		const bucket = bucketName();
		await run({ operation: 'upsertBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: { storage: 'file' } });

		await expect(
			run({ operation: 'upsertBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: { storage: 'memory' } }),
		).rejects.toThrow(`Bucket "${bucket}" uses file storage; the storage of an existing bucket cannot be changed to memory`);
		expect((await raw.jsm.streams.info(`KV_${bucket}`)).config.storage).toBe('file');
	});

	it('gets a bucket with its value count, and lists buckets but not ordinary streams', async () => {
		const a = bucketName();
		const b = bucketName();
		const plain = uniqueName('PLAIN');
		await raw.jsm.streams.add({ name: plain, subjects: [`${plain.toLowerCase()}.>`] });
		try {
			await run({ operation: 'createBucket', kvBucket: a, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: {} });
			await run({ operation: 'createBucket', kvBucket: b, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: {} });
			await run({ operation: 'set', kvBucket: a, kvKey: 'k1', kvValueFrom: 'text', kvValueText: 'v', kvPutOptions: {} });

			const [info] = json(await run({ operation: 'getBucket', kvBucket: a }));
			const list = json(await run({ operation: 'getAllBuckets' }));

			expect(info).toMatchObject({ bucket: a, values: 1, history: 1 });
			expect(info.sizeBytes).toBeGreaterThan(0);
			const names = list.map((x) => x.bucket);
			expect(names).toEqual(expect.arrayContaining([a, b]));
			expect(names).not.toContain(plain);
		} finally {
			await raw.jsm.streams.delete(plain);
		}
	});

	it('deletes a bucket; a missing bucket is named with what to do, also as an error item', async () => {
		const bucket = bucketName();
		await run({ operation: 'createBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: {} });

		const [deleted] = json(await run({ operation: 'deleteBucket', kvBucket: bucket }));
		expect(deleted).toEqual({ bucket, deleted: true });
		const missing = `Key-Value bucket "${bucket}" does not exist; create it with the Create Bucket operation`;
		await expect(run({ operation: 'getBucket', kvBucket: bucket })).rejects.toThrow(missing);
		await expect(run({ operation: 'deleteBucket', kvBucket: bucket })).rejects.toThrow(missing);

		const [item] = await run({ operation: 'deleteBucket', kvBucket: bucket }, { continueOnFail: true });
		expect(item.json.error).toBe(missing);
		expect(item.json.hint).toMatch(/Create Bucket/);
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	it('refuses an invalid bucket name before asking the server, naming the value', async () => {
		await expect(run({ operation: 'getBucket', kvBucket: 'orders.state' })).rejects.toThrow('"orders.state" is not a valid bucket name (field "Bucket")');
		await expect(run({ operation: 'createBucket', kvBucket: '  ', kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: {} })).rejects.toThrow('"Bucket" is empty');
	});

	it('refuses a history the server cannot keep', async () => {
		await expect(
			run({ operation: 'createBucket', kvBucket: bucketName(), kvHistory: 65, kvTtlSeconds: 0, kvBucketOptions: {} }),
		).rejects.toThrow('"History" must be a whole number between 1 and 64, not 65');
	});

	const version = installedServerVersion();

	// Each version-bound feature: refused with the version it needs on an older server, working on a newer one.
	if (atLeast(version, '2.10.0')) {
		it('creates a compressed bucket on a 2.10+ server', async () => {
			const bucket = bucketName();
			await run({ operation: 'createBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: { compression: true } });
			expect((await raw.jsm.streams.info(`KV_${bucket}`)).config.compression).toBe('s2');
		});
	} else {
		it('refuses compression on a server older than 2.10, naming the version needed', async () => {
			const bucket = bucketName();
			await expect(
				run({ operation: 'createBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: { compression: true } }),
			).rejects.toThrow(`Bucket compression needs NATS server 2.10.0 or newer; this server runs ${version}`);
			await expect(raw.jsm.streams.info(`KV_${bucket}`)).rejects.toThrow(/stream not found/);
		});
	}

	if (atLeast(version, '2.11.0')) {
		it('creates a bucket with per-key TTL markers on a 2.11+ server', async () => {
			const bucket = bucketName();
			await run({ operation: 'upsertBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: { markerTtlSeconds: 30 } });
			expect((await raw.jsm.streams.info(`KV_${bucket}`)).config.allow_msg_ttl).toBe(true);
		});
	} else {
		it('refuses per-key TTL on a server older than 2.11 instead of silently ignoring it', async () => {
			const bucket = bucketName();
			await expect(
				run({ operation: 'upsertBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: { markerTtlSeconds: 30 } }),
			).rejects.toThrow(`Per-key TTL (Per-Key TTL Marker) needs NATS server 2.11.0 or newer; this server runs ${version}`);
			await expect(raw.jsm.streams.info(`KV_${bucket}`)).rejects.toThrow(/stream not found/);
		});
	}
});
