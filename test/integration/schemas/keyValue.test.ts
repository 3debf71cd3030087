import { uniqueName } from '../../helpers/natsServer';
import { schemaSuite } from './harness';

/** Key-Value operations: their real output matches their output schemas, in every case. */

const suite = schemaSuite('schemas-kv');

function newBucket(): string {
	const bucket = uniqueName('kv');
	suite.later(() => suite.jsm.streams.delete(`KV_${bucket}`));
	return bucket;
}

const bucketSettings = (bucket: string, history: number) => ({ kvBucket: bucket, kvHistory: history, kvTtlSeconds: 0, kvBucketOptions: {} });

describe('Key-Value bucket output', () => {
	it('create bucket (new and existing), create or update bucket (created, updated, unchanged) match their schemas', async () => {
		const bucket = newBucket();
		expect((await suite.check('keyValue', 'createBucket', bucketSettings(bucket, 3)))[0].action).toBe('created');
		expect((await suite.check('keyValue', 'createBucket', bucketSettings(bucket, 3)))[0].action).toBe('unchanged');
		const other = newBucket();
		const upserted = [];
		for (const history of [1, 4, 4]) {
			const [out] = await suite.check('keyValue', 'upsertBucket', bucketSettings(other, history));
			upserted.push(out.action);
		}
		expect(upserted).toEqual(['created', 'updated', 'unchanged']);
	});

	it('get bucket, get many buckets and delete bucket match their schemas', async () => {
		const bucket = newBucket();
		await suite.run('keyValue', 'createBucket', { ...bucketSettings(bucket, 1), kvBucketOptions: { description: 'orders', maxBytes: 1_000_000 } });
		await suite.run('keyValue', 'set', { kvBucket: bucket, kvKey: 'a', kvValueFrom: 'text', kvValueText: 'one', kvPutOptions: {} });
		await suite.check('keyValue', 'getBucket', { kvBucket: bucket });
		expect(await suite.check('keyValue', 'getAllBuckets', { returnAll: true })).not.toHaveLength(0);
		expect(await suite.check('keyValue', 'deleteBucket', { kvBucket: bucket })).toEqual([{ bucket, deleted: true }]);
	});
});

describe('Key-Value key output', () => {
	it('set, create key, update key, get key (JSON, text, Base64, at a revision, missing, deleted), key history and get many keys match their schemas', async () => {
		const bucket = newBucket();
		await suite.run('keyValue', 'createBucket', bucketSettings(bucket, 5));
		const key = { kvBucket: bucket };
		const [first] = await suite.check('keyValue', 'set', { ...key, kvKey: 'order', kvValueFrom: 'json', kvPutOptions: {} }, [{ json: { id: 1 } }]);
		await suite.check('keyValue', 'update', { ...key, kvKey: 'order', kvExpectedRevision: first.revision, kvValueFrom: 'text', kvValueText: 'plain text' });
		await suite.check('keyValue', 'create', { ...key, kvKey: 'lock', kvValueFrom: 'text', kvValueText: 'held', kvCreateOptions: {} });
		await suite.check('keyValue', 'get', { ...key, kvKey: 'order', kvGetOptions: {} });
		await suite.check('keyValue', 'get', { ...key, kvKey: 'order', kvGetOptions: { revision: first.revision } });
		await suite.check('keyValue', 'get', { ...key, kvKey: 'order', kvGetOptions: { valueFormat: 'base64' } });
		expect(await suite.check('keyValue', 'get', { ...key, kvKey: 'never', kvGetOptions: { outputIfMissing: true } })).toEqual([{ found: false, bucket, key: 'never' }]);
		await suite.check('keyValue', 'delete', { ...key, kvKey: 'lock', kvDeleteOptions: {} });
		expect((await suite.check('keyValue', 'get', { ...key, kvKey: 'lock', kvGetOptions: { outputIfMissing: true } }))[0]).toMatchObject({ found: false, operation: 'DEL' });
		const history = await suite.check('keyValue', 'history', { ...key, kvKey: 'lock', kvHistoryOptions: {} });
		expect(history.map((e) => e.operation)).toEqual(['PUT', 'DEL']);
		expect(await suite.check('keyValue', 'getAllKeys', { ...key, kvKeyFilter: '', returnAll: true })).toEqual([{ bucket, key: 'order' }]);
		await suite.check('keyValue', 'purge', { ...key, kvKey: 'order', kvDeleteOptions: {} });
	});
});
