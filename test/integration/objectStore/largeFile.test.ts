import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { connectionPool } from '../../../nodes/shared/transport';
import { binaryFilePath, fileBinary, type LogLine } from '../../helpers/fakeExecute';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { inspector, objRunner, type Inspector } from './harness';

/**
 * A 55 MB file through Upload Object and Download Object, in n8n's filesystem binary mode (the file
 * stays on disk, read and written as a stream): it comes back byte for byte, the log shows progress,
 * and memory stays far below the file's size while it moves. Live memory is sampled every 100 ms during
 * the transfer — after a full garbage collection, so that only what is held counts, not garbage the
 * collector has not reached yet (Node 24 lets far more of it pile up than Node 20) — as the JS heap
 * plus ArrayBuffers (where chunk bytes live: a buffered file shows there, not in the heap alone),
 * against the level before it started.
 */

const SIZE = 55 * 1024 * 1024;
/** A whole copy of the file in memory would be 55 MB; chunks in flight stay well below this. */
const MAX_GROWTH = 30 * 1024 * 1024;

let server: NatsServer;
let raw: Inspector;
let dir: string;
const run = objRunner(() => server);

// Jest runs without --expose-gc: the flag can still be set, and gc() taken from a fresh context.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const used = () => {
	gc();
	const m = process.memoryUsage();
	return m.heapUsed + m.arrayBuffers;
};

/** Runs `step`, sampling memory; returns its result and the highest growth seen. */
async function measured<T>(step: () => Promise<T>): Promise<{ result: T; growth: number }> {
	const base = used();
	let peak = base;
	const timer = setInterval(() => (peak = Math.max(peak, used())), 100);
	try {
		const result = await step();
		peak = Math.max(peak, used());
		return { result, growth: peak - base };
	} finally {
		clearInterval(timer);
	}
}

async function sha256Of(path: string): Promise<string> {
	const hash = createHash('sha256');
	for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
	return hash.digest('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Random bytes, written 1 MB at a time (the test itself never holds the file). */
async function writeFile(path: string, size: number): Promise<void> {
	const out = createWriteStream(path);
	for (let written = 0; written < size; written += 1024 * 1024) {
		if (!out.write(randomBytes(Math.min(1024 * 1024, size - written)))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
	}
	await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

beforeAll(async () => {
	server = await startNatsServer({ label: 'obj-large' });
	raw = await inspector(server);
	dir = mkdtempSync(join(tmpdir(), 'obj-large-'));
});

afterAll(async () => {
	await raw?.close();
	await connectionPool.closeAll();
	await server?.cleanup();
	rmSync(dir, { recursive: true, force: true });
});

describe('JetStream node → Object Store with a 55 MB file', () => {
	it('uploads and downloads it as streams: same bytes, progress in the log, memory growth far below the file size', async () => {
		const bucket = uniqueName('big');
		await raw.objm.create(bucket);
		try {
			const source = join(dir, 'video.mp4');
			await writeFile(source, SIZE);
			const digest = `SHA-256=${await sha256Of(source)}`;
			const logs: LogLine[] = [];

			const put = await measured(() =>
				run(
					{ operation: 'upload', objBucket: bucket, objName: 'media/video.mp4', binaryPropertyName: 'data', objPutOptions: {} },
					{ items: [{ json: {}, binary: { data: fileBinary(source, 'video/mp4') } }], binaryMode: 'filesystem', logs },
				),
			);
			expect(put.result[0].json).toMatchObject({ name: 'media/video.mp4', size: SIZE, chunks: SIZE / (128 * 1024), digest });
			expect(put.growth).toBeLessThan(MAX_GROWTH);

			const got = await measured(() => run({ operation: 'download', objBucket: bucket, objName: 'media/video.mp4', binaryPropertyName: 'data' }, { binaryMode: 'filesystem', logs }));
			const binary = got.result[0].binary?.data;
			expect(binary).toMatchObject({ fileName: 'video.mp4', mimeType: 'video/mp4' });
			const copy = binaryFilePath(binary!);
			expect(statSync(copy).size).toBe(SIZE);
			expect(`SHA-256=${await sha256Of(copy)}`).toBe(digest);
			expect(got.growth).toBeLessThan(MAX_GROWTH);

			const progress = logs.filter((l) => l.level === 'info').map((l) => l.message);
			expect(progress).toEqual(expect.arrayContaining([`Stored "media/video.mp4" in bucket "${bucket}": 10 MB of 55 MB`, `Stored "media/video.mp4" in bucket "${bucket}": 50 MB of 55 MB`]));
			expect(progress).toEqual(expect.arrayContaining([`Read "media/video.mp4" from bucket "${bucket}": 10 MB of 55 MB`, `Read "media/video.mp4" from bucket "${bucket}": 50 MB of 55 MB`]));
			console.log(`55 MB file: memory growth upload ${(put.growth / 1048576).toFixed(1)} MB, download ${(got.growth / 1048576).toFixed(1)} MB`);
		} finally {
			await raw.jsm.streams.delete(`OBJ_${bucket}`).catch(() => undefined);
		}
	}, 120_000);
});
