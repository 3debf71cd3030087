import { createHash } from 'node:crypto';

import { uniqueName } from '../../helpers/natsServer';
import { json, memoryFile, objectStoreSuite } from './harness';

/** Object Store objects through the JetStream node: put, get, info, list, delete, link. */

const suite = objectStoreSuite('obj-objects');
const { run } = suite;

async function newBucket(): Promise<string> {
	const bucket = suite.bucketName('ob');
	await suite.raw.objm.create(bucket);
	return bucket;
}

/** As nats.js writes it: base64url with padding. */
const digestOf = (bytes: Buffer) => `SHA-256=${createHash('sha256').update(bytes).digest('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;

describe('JetStream node → Object Store objects', () => {
	it('puts a file from a binary field and outputs its name, size, chunks and SHA-256 digest; nats.js reads back the same bytes', async () => {
		const bucket = await newBucket();
		const bytes = Buffer.from('%PDF-1.4 invoice 1001\n'.repeat(20_000));
		const [out] = json(
			await run(
				{ operation: 'upload', objBucket: bucket, objName: 'invoices/inv-1001.pdf', binaryPropertyName: 'data', objPutOptions: { description: 'March invoice', headers: { header: [{ name: 'X-Customer', value: 'acme' }] } } },
				{ items: [memoryFile(bytes, 'application/pdf', 'inv-1001.pdf')] },
			),
		);
		expect(out).toMatchObject({
			bucket,
			name: 'invoices/inv-1001.pdf',
			size: bytes.length,
			chunks: Math.ceil(bytes.length / (128 * 1024)),
			digest: digestOf(bytes),
			description: 'March invoice',
			headers: { 'X-Customer': 'acme', 'Content-Type': 'application/pdf' },
			deleted: false,
			link: null,
		});
		expect(new Date(String(out.modified)).toISOString()).toBe(out.modified);
		const stored = await (await suite.raw.objm.open(bucket)).getBlob('invoices/inv-1001.pdf');
		expect(Buffer.from(stored ?? []).equals(bytes)).toBe(true);
	});

	it('gets an object into a binary field with its file name and MIME type, byte for byte', async () => {
		const bucket = await newBucket();
		const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
		await run({ operation: 'upload', objBucket: bucket, objName: 'exports/data.bin', binaryPropertyName: 'file', objPutOptions: {} }, { items: [{ json: {}, binary: { file: memoryFile(bytes, 'application/x-custom', 'x').binary!.data } }] });

		const [item] = await run({ operation: 'download', objBucket: bucket, objName: 'exports/data.bin', binaryPropertyName: 'out' });
		expect(item.json).toMatchObject({ bucket, name: 'exports/data.bin', size: bytes.length, fileName: 'data.bin', mimeType: 'application/x-custom', binaryField: 'out', digest: digestOf(bytes) });
		expect(Buffer.from(item.binary?.out.data ?? '', 'base64').equals(bytes)).toBe(true);
		expect(item.binary?.out).toMatchObject({ fileName: 'data.bin', mimeType: 'application/x-custom' });
	});

	it('takes the MIME type from the name\'s extension when none was stored, and says bytes for a name without one', async () => {
		const bucket = await newBucket();
		const os = await suite.raw.objm.open(bucket);
		await os.putBlob({ name: 'notes/readme.txt' }, new TextEncoder().encode('hello'));
		await os.putBlob({ name: 'blob' }, new Uint8Array([1, 2, 3]));
		const [txt] = await run({ operation: 'download', objBucket: bucket, objName: 'notes/readme.txt', binaryPropertyName: 'data' });
		const [blob] = await run({ operation: 'download', objBucket: bucket, objName: 'blob', binaryPropertyName: 'data' });
		expect(txt.binary?.data).toMatchObject({ mimeType: 'text/plain', fileName: 'readme.txt' });
		expect(blob.binary?.data).toMatchObject({ mimeType: 'application/octet-stream', fileName: 'blob' });
	});

	it('gets info, lists objects (deleted ones only when asked) and deletes an object', async () => {
		const bucket = await newBucket();
		const os = await suite.raw.objm.open(bucket);
		await run({ operation: 'upload', objBucket: bucket, objName: 'a.txt', binaryPropertyName: 'data', objPutOptions: { headers: { header: [{ name: 'X-A', value: '1' }] } } }, { items: [memoryFile('aaa', 'text/plain', 'a.txt')] });
		await os.putBlob({ name: 'b.txt' }, new TextEncoder().encode('bbbb'));
		await os.putBlob({ name: 'c.txt' }, new TextEncoder().encode('c'));

		const [info] = json(await run({ operation: 'get', objBucket: bucket, objName: 'b.txt' }));
		expect(info).toMatchObject({ bucket, name: 'b.txt', size: 4, chunks: 1, deleted: false });

		expect(json(await run({ operation: 'delete', objBucket: bucket, objName: 'c.txt' }))).toEqual([{ bucket, name: 'c.txt', deleted: true }]);
		expect((await os.info('c.txt'))?.deleted).toBe(true);

		const live = json(await run({ operation: 'getAll', objBucket: bucket, returnAll: true, objListOptions: {} }));
		expect(live.map((o) => o.name).sort()).toEqual(['a.txt', 'b.txt']);
		// The listing reads the stored entries, whose headers are a plain record: the same output as Get Object Info.
		expect(live.find((o) => o.name === 'a.txt')?.headers).toEqual({ 'X-A': '1', 'Content-Type': 'text/plain' });
		const all = json(await run({ operation: 'getAll', objBucket: bucket, returnAll: true, objListOptions: { includeDeleted: true } }));
		expect(all.map((o) => [o.name, o.deleted]).sort()).toEqual([['a.txt', false], ['b.txt', false], ['c.txt', true]]);
		expect(json(await run({ operation: 'getAll', objBucket: bucket, returnAll: false, limit: 1, objListOptions: {} }))).toHaveLength(1);

		const [gone] = json(await run({ operation: 'get', objBucket: bucket, objName: 'c.txt' }));
		expect(gone).toMatchObject({ name: 'c.txt', deleted: true, size: 0 });
	});

	it('links an object (getting the link reads the target) and a whole bucket', async () => {
		const bucket = await newBucket();
		const other = await newBucket();
		await (await suite.raw.objm.open(other)).putBlob({ name: 'report.pdf' }, new TextEncoder().encode('report body'));

		const [link] = json(await run({ operation: 'link', objBucket: bucket, objName: 'latest.pdf', objLinkTo: 'object', objTargetBucket: other, objTargetName: 'report.pdf' }));
		expect(link).toMatchObject({ bucket, name: 'latest.pdf', link: { bucket: other, name: 'report.pdf' } });
		const [got] = await run({ operation: 'download', objBucket: bucket, objName: 'latest.pdf', binaryPropertyName: 'data' });
		expect(Buffer.from(got.binary?.data.data ?? '', 'base64').toString()).toBe('report body');

		const [whole] = json(await run({ operation: 'link', objBucket: bucket, objName: 'archive', objLinkTo: 'bucket', objTargetBucket: other }));
		expect(whole).toMatchObject({ bucket, name: 'archive', link: { bucket: other, name: null } });
		await expect(run({ operation: 'download', objBucket: bucket, objName: 'archive', binaryPropertyName: 'data' })).rejects.toThrow(
			`"archive" in object store bucket "${bucket}" links a whole bucket, not a file`,
		);
	});
});

describe('JetStream node → Object Store errors name the bucket and the object', () => {
	it('a missing bucket, for every operation that reads or writes one', async () => {
		const bucket = uniqueName('missing');
		const expected = `Object store bucket "${bucket}" does not exist`;
		await expect(run({ operation: 'getBucket', objBucket: bucket })).rejects.toThrow(expected);
		await expect(run({ operation: 'get', objBucket: bucket, objName: 'a' })).rejects.toThrow(expected);
		await expect(run({ operation: 'download', objBucket: bucket, objName: 'a', binaryPropertyName: 'data' })).rejects.toThrow(expected);
		await expect(run({ operation: 'getAll', objBucket: bucket, returnAll: true, objListOptions: {} })).rejects.toThrow(expected);
		await expect(run({ operation: 'delete', objBucket: bucket, objName: 'a' })).rejects.toThrow(expected);
		await expect(run({ operation: 'deleteBucket', objBucket: bucket })).rejects.toThrow(expected);
		await expect(run({ operation: 'upload', objBucket: bucket, objName: 'a', binaryPropertyName: 'data', objPutOptions: {} }, { items: [memoryFile('x', 'text/plain', 'a')] })).rejects.toThrow(expected);
	});

	it('a missing object, with the bucket; a deleted one says so; a missing link target names its bucket', async () => {
		const bucket = await newBucket();
		const expected = `Object "nope.pdf" was not found in object store bucket "${bucket}"`;
		await expect(run({ operation: 'download', objBucket: bucket, objName: 'nope.pdf', binaryPropertyName: 'data' })).rejects.toThrow(expected);
		await expect(run({ operation: 'get', objBucket: bucket, objName: 'nope.pdf' })).rejects.toThrow(expected);
		await expect(run({ operation: 'delete', objBucket: bucket, objName: 'nope.pdf' })).rejects.toThrow(expected);
		await (await suite.raw.objm.open(bucket)).putBlob({ name: 'old' }, new Uint8Array([1]));
		await run({ operation: 'delete', objBucket: bucket, objName: 'old' });
		await expect(run({ operation: 'delete', objBucket: bucket, objName: 'old' })).rejects.toThrow(`Object "old" was not found in object store bucket "${bucket}" (it was deleted before)`);
		await expect(run({ operation: 'link', objBucket: bucket, objName: 'l', objLinkTo: 'object', objTargetBucket: bucket, objTargetName: 'nope.pdf' })).rejects.toThrow(
			`Object "nope.pdf" was not found in object store bucket "${bucket}" (the link target)`,
		);
		const missing = uniqueName('gone');
		await expect(run({ operation: 'link', objBucket: bucket, objName: 'l', objLinkTo: 'bucket', objTargetBucket: missing })).rejects.toThrow(`Object store bucket "${missing}" does not exist`);
	});

	it('bad names and a missing binary field are refused naming the field, before anything is sent', async () => {
		await expect(run({ operation: 'getBucket', objBucket: 'my bucket' })).rejects.toThrow('"my bucket" is not a valid object store bucket name (field "Bucket")');
		await expect(run({ operation: 'get', objBucket: 'b', objName: '   ' })).rejects.toThrow('"Object Name" is empty');
		await expect(run({ operation: 'link', objBucket: 'b', objName: 'l', objLinkTo: 'bucket', objTargetBucket: 'a.b' })).rejects.toThrow('(field "Target Bucket")');
		const bucket = await newBucket();
		await expect(run({ operation: 'upload', objBucket: bucket, objName: 'a', binaryPropertyName: 'file', objPutOptions: {} }, { items: [memoryFile('x', 'text/plain', 'a')] })).rejects.toThrow("no binary field 'file'");
	});

	it('with Continue On Fail a failing item becomes an error item and the others carry on', async () => {
		const bucket = await newBucket();
		await (await suite.raw.objm.open(bucket)).putBlob({ name: 'here' }, new Uint8Array([1]));
		const out = json(await run({ operation: 'get', objBucket: bucket, objName: (i: number) => (i === 0 ? 'gone' : 'here') }, { items: [{ json: {} }, { json: {} }], continueOnFail: true }));
		expect(out[0].error).toBe(`Object "gone" was not found in object store bucket "${bucket}"`);
		expect(out[1]).toMatchObject({ name: 'here', size: 1 });
	});
});
