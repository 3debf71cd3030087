import { uniqueName } from '../../helpers/natsServer';
import { memoryFile } from '../objectStore/harness';
import { schemaSuite } from './harness';

/** Object Store operations: their real output matches their output schemas, in every case. */

const suite = schemaSuite('schemas-obj');

function newBucket(): string {
	const bucket = uniqueName('ob');
	suite.later(() => suite.jsm.streams.delete(`OBJ_${bucket}`));
	return bucket;
}

const file = (text: string) => [memoryFile(text, 'text/plain', 'a.txt')];

describe('Object Store bucket output', () => {
	it('create bucket (new and unchanged), get bucket, get many buckets and delete bucket match their schemas', async () => {
		const bucket = newBucket();
		const settings = { objBucket: bucket, objBucketOptions: { description: 'files', maxBytes: 10_000_000, ttlSeconds: 3600 } };
		expect((await suite.check('objectStore', 'createBucket', settings))[0].action).toBe('created');
		expect((await suite.check('objectStore', 'createBucket', settings))[0].action).toBe('unchanged');
		await suite.run('objectStore', 'upload', { objBucket: bucket, objName: 'a.txt', binaryPropertyName: 'data', objPutOptions: {} }, file('one'));
		expect((await suite.check('objectStore', 'getBucket', { objBucket: bucket }))[0]).toMatchObject({ objects: 1, ttlSeconds: 3600 });
		expect(await suite.check('objectStore', 'getAllBuckets', { returnAll: true })).not.toHaveLength(0);
		expect(await suite.check('objectStore', 'deleteBucket', { objBucket: bucket })).toEqual([{ bucket, deleted: true }]);
	});
});

describe('Object Store object output', () => {
	it('put (with description and headers), get, get info, get many (deleted too), object and bucket links, delete match their schemas', async () => {
		const bucket = newBucket();
		await suite.run('objectStore', 'createBucket', { objBucket: bucket, objBucketOptions: {} });
		const at = { objBucket: bucket };
		await suite.check('objectStore', 'upload', { ...at, objName: 'a.txt', binaryPropertyName: 'data', objPutOptions: { description: 'd', headers: { header: [{ name: 'X-A', value: '1' }] } } }, file('hello'));
		await suite.check('objectStore', 'upload', { ...at, objName: 'b.txt', binaryPropertyName: 'data', objPutOptions: {} }, file(''));
		await suite.check('objectStore', 'download', { ...at, objName: 'a.txt', binaryPropertyName: 'data' });
		await suite.check('objectStore', 'get', { ...at, objName: 'a.txt' });
		expect((await suite.check('objectStore', 'link', { ...at, objName: 'l.txt', objLinkTo: 'object', objTargetBucket: bucket, objTargetName: 'a.txt' }))[0].link).toEqual({ bucket, name: 'a.txt' });
		expect((await suite.check('objectStore', 'link', { ...at, objName: 'all', objLinkTo: 'bucket', objTargetBucket: bucket }))[0].link).toEqual({ bucket, name: null });
		await suite.check('objectStore', 'delete', { ...at, objName: 'b.txt' });
		await suite.check('objectStore', 'get', { ...at, objName: 'b.txt' });
		expect(await suite.check('objectStore', 'getAll', { ...at, returnAll: true, objListOptions: { includeDeleted: true } })).toHaveLength(4);
	});
});
