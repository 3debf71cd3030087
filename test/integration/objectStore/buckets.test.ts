import { serverAtLeast, uniqueName } from '../../helpers/natsServer';
import { json, objectStoreSuite } from './harness';

/** Object Store buckets through the JetStream node: create, get, list, delete. */

const suite = objectStoreSuite('obj-buckets');
const { run } = suite;

const bucketName = () => suite.bucketName('ob');

describe('JetStream node → Object Store buckets', () => {
	it('creates a bucket with size limit, TTL, storage, replicas and description on its stream OBJ_<bucket>', async () => {
		const bucket = bucketName();
		const [out] = json(
			await run({ operation: 'createBucket', objBucket: bucket, objBucketOptions: { maxBytes: 5_000_000, ttlSeconds: 7200, storage: 'memory', replicas: 1, description: 'scans' } }),
		);
		expect(out).toMatchObject({ action: 'created', bucket, stream: `OBJ_${bucket}`, objects: 0, sizeBytes: 0, maxBytes: 5_000_000, ttlSeconds: 7200, storage: 'memory', replicas: 1, description: 'scans', compression: false, sealed: false });
		const { config } = await suite.raw.jsm.streams.info(`OBJ_${bucket}`);
		expect(config).toMatchObject({ max_bytes: 5_000_000, max_age: 7200 * 1e9, storage: 'memory', description: 'scans', subjects: [`$O.${bucket}.C.>`, `$O.${bucket}.M.>`] });
	});

	it('creating it again with the same settings is "unchanged"; with other settings it says which differ and changes nothing', async () => {
		const bucket = bucketName();
		const params = { operation: 'createBucket', objBucket: bucket, objBucketOptions: { ttlSeconds: 60 } };
		await run(params);
		expect(json(await run(params))[0]).toMatchObject({ action: 'unchanged', ttlSeconds: 60 });
		await expect(run({ ...params, objBucketOptions: { ttlSeconds: 120, storage: 'memory' } })).rejects.toThrow(
			`Object store bucket "${bucket}" already exists with other settings: storage is "file", not "memory"; ttlSeconds is 60, not 120`,
		);
		expect((await suite.raw.jsm.streams.info(`OBJ_${bucket}`)).config.max_age).toBe(60 * 1e9);
	});

	it('gets a bucket with the number of objects and bytes; lists buckets (only object stores, Limit applies); deletes one', async () => {
		const bucket = bucketName();
		const other = bucketName();
		const os = await suite.raw.objm.create(bucket);
		await suite.raw.objm.create(other);
		await os.putBlob({ name: 'a' }, new Uint8Array(1000));
		await os.putBlob({ name: 'b' }, new Uint8Array(10));
		await os.delete('b');
		const kv = uniqueName('KVNOT');
		await suite.raw.jsm.streams.add({ name: kv, subjects: [`${kv.toLowerCase()}.>`] });

		const [info] = json(await run({ operation: 'getBucket', objBucket: bucket }));
		expect(info).toMatchObject({ bucket, objects: 2, storage: 'file', maxBytes: -1, ttlSeconds: 0 });
		expect(Number(info.sizeBytes)).toBeGreaterThan(1000);

		const all = json(await run({ operation: 'getAllBuckets', returnAll: true }));
		expect(all.map((b) => b.bucket).sort()).toEqual([bucket, other].sort());
		expect(all.every((b) => b.objects === null)).toBe(true);
		expect(json(await run({ operation: 'getAllBuckets', returnAll: false, limit: 1 }))).toHaveLength(1);

		expect(json(await run({ operation: 'deleteBucket', objBucket: bucket }))).toEqual([{ bucket, deleted: true }]);
		await expect(suite.raw.jsm.streams.info(`OBJ_${bucket}`)).rejects.toThrow(/stream not found/);
		await suite.raw.jsm.streams.delete(kv);
	});

	it('compression: stored on 2.10+, refused with the version on an older server', async () => {
		const bucket = bucketName();
		const params = { operation: 'createBucket', objBucket: bucket, objBucketOptions: { compression: true } };
		if (!serverAtLeast('2.10.0')) {
			await expect(run(params)).rejects.toThrow(/Bucket compression needs NATS server 2\.10\.0/);
			return;
		}
		expect(json(await run(params))[0]).toMatchObject({ action: 'created', compression: true });
		expect((await suite.raw.jsm.streams.info(`OBJ_${bucket}`)).config.compression).toBe('s2');
	});
});
