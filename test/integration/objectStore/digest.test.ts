import { objectStoreSuite } from './harness';

/**
 * A stored object whose chunks no longer match the SHA-256 digest in its entry (a chunk lost or
 * changed on the server) must not come out as a file: Download Object fails naming the bucket and
 * the object and saying the copy is corrupt.
 */

const suite = objectStoreSuite('obj-digest');
const { run } = suite;

const CHUNK = 128 * 1024;
const bytes = new Uint8Array(3 * CHUNK + 100).map((_, i) => i % 253);

/** A bucket with "scan.pdf" of 4 chunks (stream sequences 1–4, its entry at 5). */
async function storedObject(): Promise<{ bucket: string; nuid: string }> {
	const bucket = suite.bucketName('dg');
	const os = await suite.raw.objm.create(bucket);
	const info = await os.putBlob({ name: 'scan.pdf' }, bytes);
	expect(info.chunks).toBe(4);
	return { bucket, nuid: info.nuid };
}

const corrupt = (bucket: string) => `Object "scan.pdf" in object store bucket "${bucket}" is corrupt or incomplete: the SHA-256 digest of its stored chunks does not match the digest recorded when it was written`;

describe('JetStream node → Object Store → Download Object of a corrupt object', () => {
	it('a chunk deleted from the stream: fails naming bucket and object, in memory and filesystem binary mode', async () => {
		const { bucket } = await storedObject();
		expect(await suite.raw.jsm.streams.deleteMessage(`OBJ_${bucket}`, 2)).toBe(true);
		const params = { operation: 'download', objBucket: bucket, objName: 'scan.pdf', binaryPropertyName: 'data' };
		await expect(run(params)).rejects.toThrow(corrupt(bucket));
		await expect(run(params, { binaryMode: 'filesystem' })).rejects.toThrow(corrupt(bucket));
	});

	it('a chunk with other bytes added under the object\'s chunk subject: fails the same way; with Continue On Fail it is an error item with what to do', async () => {
		const { bucket, nuid } = await storedObject();
		await suite.raw.nc.request(`$O.${bucket}.C.${nuid}`, new Uint8Array([1, 2, 3]));
		const out = await run({ operation: 'download', objBucket: bucket, objName: 'scan.pdf', binaryPropertyName: 'data' }, { continueOnFail: true });
		expect(out[0].json.error).toBe(corrupt(bucket));
		expect(out[0].json.hint).toMatch(/put the file again from its source, or delete the object/);
		expect(out[0].binary).toBeUndefined();
	});

	it('every chunk purged: fails at once instead of waiting for chunks that will never come', async () => {
		const { bucket, nuid } = await storedObject();
		await suite.raw.jsm.streams.purge(`OBJ_${bucket}`, { filter: `$O.${bucket}.C.${nuid}` });
		const started = Date.now();
		await expect(run({ operation: 'download', objBucket: bucket, objName: 'scan.pdf', binaryPropertyName: 'data' })).rejects.toThrow(corrupt(bucket));
		expect(Date.now() - started).toBeLessThan(3_000);
	});

	it('an intact object still downloads (the check does not refuse good data)', async () => {
		const { bucket } = await storedObject();
		const [item] = await run({ operation: 'download', objBucket: bucket, objName: 'scan.pdf', binaryPropertyName: 'data' });
		expect(Buffer.from(item.binary?.data.data ?? '', 'base64').equals(Buffer.from(bytes))).toBe(true);
	});
});
