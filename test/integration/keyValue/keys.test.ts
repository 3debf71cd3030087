import { atLeast } from '../../../nodes/shared/serverVersion';
import { connectionPool } from '../../../nodes/shared/transport';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { inspector, installedServerVersion, json, kvRunner, type Inspector } from './harness';

/** Keys of a Key-Value bucket through the JetStream node: get, put, create, update, delete, purge, list, history. */

let server: NatsServer;
let raw: Inspector;
const run = kvRunner(() => server);
let bucket = '';

beforeAll(async () => {
	server = await startNatsServer({ label: 'kv-keys' });
	raw = await inspector(server);
});

beforeEach(async () => {
	bucket = uniqueName('KEYS');
	await run({ operation: 'createBucket', kvBucket: bucket, kvHistory: 10, kvTtlSeconds: 0, kvBucketOptions: {} });
});

afterEach(async () => {
	await raw.jsm.streams.delete(`KV_${bucket}`);
});

afterAll(async () => {
	await raw?.close();
	await connectionPool.closeAll();
	await server?.cleanup();
});

const putText = (key: string, text: string, extra: Record<string, unknown> = {}) =>
	run({ operation: 'set', kvBucket: bucket, kvKey: key, kvValueFrom: 'text', kvValueText: text, kvPutOptions: {}, ...extra });

const get = async (key: string, options: Record<string, unknown> = {}) =>
	json(await run({ operation: 'get', kvBucket: bucket, kvKey: key, kvGetOptions: options }))[0];

const missingBucket = (name: string) => `Key-Value bucket "${name}" does not exist; create it with the Create Bucket operation`;

describe('JetStream node → Key-Value keys', () => {
	it('puts the whole item as JSON and gets it back parsed, with revision, time and operation', async () => {
		const before = Date.now();
		const [put] = json(
			await run(
				{ operation: 'set', kvBucket: bucket, kvKey: 'orders.1', kvValueFrom: 'json', kvPutOptions: {} },
				{ items: [{ json: { id: 1, status: 'new', lines: [{ sku: 'A', qty: 2 }] } }] },
			),
		);
		const got = await get('orders.1');

		expect(put).toEqual({ bucket, key: 'orders.1', revision: 1 });
		expect(got).toEqual({
			found: true,
			bucket,
			key: 'orders.1',
			value: { id: 1, status: 'new', lines: [{ sku: 'A', qty: 2 }] },
			valueEncoding: 'json',
			revision: 1,
			operation: 'PUT',
			created: expect.any(String),
		});
		expect(Date.parse(String(got.created))).toBeGreaterThanOrEqual(before - 1_000);
	});

	it('round-trips text as text, and a JSON-looking text as JSON unless Text is chosen', async () => {
		await putText('greeting', 'hello world');
		await putText('count', '42');
		await run(
			{ operation: 'set', kvBucket: bucket, kvKey: 'status', kvValueFrom: 'field', kvValueField: 'order.status', kvPutOptions: {} },
			{ items: [{ json: { order: { status: 'shipped', total: 10 } } }] },
		);
		await run(
			{ operation: 'set', kvBucket: bucket, kvKey: 'order', kvValueFrom: 'field', kvValueField: 'order', kvPutOptions: {} },
			{ items: [{ json: { order: { status: 'shipped', total: 10 } } }] },
		);

		expect(await get('greeting')).toMatchObject({ value: 'hello world', valueEncoding: 'text' });
		expect(await get('count')).toMatchObject({ value: 42, valueEncoding: 'json' });
		expect(await get('count', { valueFormat: 'text' })).toMatchObject({ value: '42', valueEncoding: 'text' });
		expect(await get('status')).toMatchObject({ value: 'shipped', valueEncoding: 'text' });
		expect(await get('order')).toMatchObject({ value: { status: 'shipped', total: 10 }, valueEncoding: 'json' });
		expect(await get('order', { valueFormat: 'base64' })).toMatchObject({
			value: Buffer.from('{"status":"shipped","total":10}').toString('base64'),
			valueEncoding: 'base64',
		});
		await expect(get('greeting', { valueFormat: 'json' })).rejects.toThrow('The value of key "greeting" is not valid JSON: "hello world"');
	});

	it('puts one key per item, each item its own key and value, in input order', async () => {
		const items = [1, 2, 3].map((n) => ({ json: { id: n } }));
		const out = json(
			await run(
				{ operation: 'set', kvBucket: bucket, kvKey: (i: number) => `orders.${i + 1}`, kvValueFrom: 'json', kvPutOptions: {} },
				{ items },
			),
		);
		expect(out.map((o) => [o.key, o.revision])).toEqual([
			['orders.1', 1],
			['orders.2', 2],
			['orders.3', 3],
		]);
		expect((await get('orders.2')).value).toEqual({ id: 2 });
	});

	it('update with the current revision succeeds; with a stale one it is a revision conflict naming both revisions', async () => {
		const [first] = json(await putText('stock.A', '10'));
		const [second] = json(
			await run({ operation: 'update', kvBucket: bucket, kvKey: 'stock.A', kvExpectedRevision: first.revision, kvValueFrom: 'text', kvValueText: '9' }),
		);

		await expect(
			run({ operation: 'update', kvBucket: bucket, kvKey: 'stock.A', kvExpectedRevision: first.revision, kvValueFrom: 'text', kvValueText: '8' }),
		).rejects.toThrow(`KV revision conflict: key "stock.A" in bucket "${bucket}" is at revision ${second.revision}, expected revision ${first.revision}`);
		expect(await get('stock.A')).toMatchObject({ value: 9, revision: second.revision });
		expect(second.revision).toBeGreaterThan(first.revision as number);
	});

	it('update of a key that does not exist says so', async () => {
		await expect(
			run({ operation: 'update', kvBucket: bucket, kvKey: 'nope', kvExpectedRevision: 3, kvValueFrom: 'text', kvValueText: 'x' }),
		).rejects.toThrow(`KV revision conflict: key "nope" in bucket "${bucket}" does not exist, expected revision 3`);
	});

	it('put with an expected revision is refused when the key moved on', async () => {
		const [first] = json(await putText('cfg', 'a'));
		await putText('cfg', 'b');
		await expect(putText('cfg', 'c', { kvPutOptions: { expectedRevision: first.revision } })).rejects.toThrow(
			/KV revision conflict: key "cfg" .* is at revision 2, expected revision 1/,
		);
		const [ok] = json(await putText('cfg', 'c', { kvPutOptions: { expectedRevision: 2 } }));
		expect(ok.revision).toBe(3);
	});

	it('create writes only an absent key: a second create says the key exists; after a delete it can be created again', async () => {
		const create = (text: string) =>
			run({ operation: 'create', kvBucket: bucket, kvKey: 'lock.job1', kvValueFrom: 'text', kvValueText: text, kvCreateOptions: {} });

		const [won] = json(await create('worker-1'));
		await expect(create('worker-2')).rejects.toThrow(
			`Key "lock.job1" already exists in Key-Value bucket "${bucket}" (revision ${won.revision}); Create only writes keys that do not exist yet`,
		);
		expect((await get('lock.job1')).value).toBe('worker-1');

		await run({ operation: 'delete', kvBucket: bucket, kvKey: 'lock.job1', kvDeleteOptions: {} });
		const [again] = json(await create('worker-3'));
		expect(again.revision).toBeGreaterThan(won.revision as number);
		expect((await get('lock.job1')).value).toBe('worker-3');
	});

	it('a deleted key is missing for get (or found: false), and its history shows the deletion', async () => {
		await putText('user.7', 'alice');
		const [del] = json(await run({ operation: 'delete', kvBucket: bucket, kvKey: 'user.7', kvDeleteOptions: {} }));

		expect(del).toEqual({ bucket, key: 'user.7', operation: 'DEL', deleted: true });
		await expect(get('user.7')).rejects.toThrow(`Key "user.7" was not found in Key-Value bucket "${bucket}" (it was deleted at revision 2)`);
		expect(await get('user.7', { outputIfMissing: true })).toEqual({ found: false, bucket, key: 'user.7', revision: 2, operation: 'DEL' });
		const history = json(await run({ operation: 'history', kvBucket: bucket, kvKey: 'user.7', kvHistoryOptions: {} }));
		expect(history.map((h) => [h.operation, h.value])).toEqual([
			['PUT', 'alice'],
			['DEL', undefined],
		]);
	});

	it('a key that never existed is missing, or found: false when asked', async () => {
		await expect(get('ghost')).rejects.toThrow(`Key "ghost" was not found in Key-Value bucket "${bucket}"`);
		expect(await get('ghost', { outputIfMissing: true })).toEqual({ found: false, bucket, key: 'ghost' });
		await expect(run({ operation: 'history', kvBucket: bucket, kvKey: 'ghost', kvHistoryOptions: {} })).rejects.toThrow(
			`Key "ghost" was not found in Key-Value bucket "${bucket}" (it has no history)`,
		);
	});

	it('purge removes a key with all its earlier values', async () => {
		await putText('temp', 'a');
		await putText('temp', 'b');
		const [purged] = json(await run({ operation: 'purge', kvBucket: bucket, kvKey: 'temp', kvDeleteOptions: {} }));

		expect(purged).toEqual({ bucket, key: 'temp', operation: 'PURGE', purged: true });
		const history = json(await run({ operation: 'history', kvBucket: bucket, kvKey: 'temp', kvHistoryOptions: {} }));
		expect(history.map((h) => h.operation)).toEqual(['PURGE']);
		await expect(get('temp')).rejects.toThrow(/\(it was purged at revision 3\)/);
	});

	it('delete with an expected revision is refused when the key moved on, and the key stays', async () => {
		await putText('doc', 'v1');
		await putText('doc', 'v2');
		await expect(run({ operation: 'delete', kvBucket: bucket, kvKey: 'doc', kvDeleteOptions: { expectedRevision: 1 } })).rejects.toThrow(
			`KV revision conflict: key "doc" in bucket "${bucket}" is at revision 2, expected revision 1`,
		);
		expect((await get('doc')).value).toBe('v2');
	});

	it('reads an earlier revision of a key, and lists the history oldest first', async () => {
		await putText('price', '100');
		await putText('price', '110');
		await putText('price', '120');

		expect(await get('price', { revision: 2 })).toMatchObject({ value: 110, revision: 2 });
		const history = json(await run({ operation: 'history', kvBucket: bucket, kvKey: 'price', kvHistoryOptions: { valueFormat: 'text' } }));
		expect(history.map((h) => [h.revision, h.value, h.operation])).toEqual([
			[1, '100', 'PUT'],
			[2, '110', 'PUT'],
			[3, '120', 'PUT'],
		]);
	});

	it('keeps only as many revisions as the bucket\'s History allows', async () => {
		const small = uniqueName('HIST');
		await run({ operation: 'createBucket', kvBucket: small, kvHistory: 2, kvTtlSeconds: 0, kvBucketOptions: {} });
		try {
			for (const v of ['a', 'b', 'c']) await run({ operation: 'set', kvBucket: small, kvKey: 'k', kvValueFrom: 'text', kvValueText: v, kvPutOptions: {} });
			const history = json(await run({ operation: 'history', kvBucket: small, kvKey: 'k', kvHistoryOptions: {} }));
			expect(history.map((h) => h.value)).toEqual(['b', 'c']);
		} finally {
			await raw.jsm.streams.delete(`KV_${small}`);
		}
	});

	it('lists keys matching a filter, leaves out deleted keys, and honours the limit', async () => {
		for (const key of ['orders.1', 'orders.2', 'orders.3', 'orders.1.lines', 'customers.1']) await putText(key, 'x');
		await run({ operation: 'delete', kvBucket: bucket, kvKey: 'orders.3', kvDeleteOptions: {} });

		const list = (params: Record<string, unknown>) => run({ operation: 'getAllKeys', kvBucket: bucket, ...params }).then(json);
		const star = await list({ kvKeyFilter: 'orders.*', returnAll: true });
		const below = await list({ kvKeyFilter: 'orders.>', returnAll: true });
		const all = await list({ kvKeyFilter: '', returnAll: true });
		const limited = await list({ kvKeyFilter: '', returnAll: false, limit: 2 });

		expect(star.map((k) => k.key).sort()).toEqual(['orders.1', 'orders.2']);
		expect(below.map((k) => k.key).sort()).toEqual(['orders.1', 'orders.1.lines', 'orders.2']);
		expect(all.map((k) => k.key).sort()).toEqual(['customers.1', 'orders.1', 'orders.1.lines', 'orders.2']);
		expect(all[0]).toEqual({ bucket, key: expect.any(String) });
		expect(limited).toHaveLength(2);
	});

	it('lists no keys in an empty bucket', async () => {
		expect(await run({ operation: 'getAllKeys', kvBucket: bucket, kvKeyFilter: '', returnAll: true })).toEqual([]);
	});

	it('names a missing bucket, with what to do, for every key operation', async () => {
		const ghost = uniqueName('GHOST');
		const base = { kvBucket: ghost, kvKey: 'a', kvValueFrom: 'text', kvValueText: 'x' };
		const operations = [
			{ operation: 'get', kvGetOptions: {} },
			{ operation: 'set', kvPutOptions: {} },
			{ operation: 'create', kvCreateOptions: {} },
			{ operation: 'update', kvExpectedRevision: 1 },
			{ operation: 'delete', kvDeleteOptions: {} },
			{ operation: 'purge', kvDeleteOptions: {} },
			{ operation: 'getAllKeys', kvKeyFilter: '', returnAll: true },
			{ operation: 'history', kvHistoryOptions: {} },
		];
		for (const params of operations) {
			await expect(run({ ...base, ...params })).rejects.toThrow(missingBucket(ghost));
		}
	});

	it('refuses invalid keys and filters before the server sees them, naming the value', async () => {
		await expect(putText('.orders', 'x')).rejects.toThrow('Key ".orders" starts or ends with a dot');
		await expect(putText('orders.', 'x')).rejects.toThrow('Key "orders." starts or ends with a dot');
		await expect(putText('a..b', 'x')).rejects.toThrow('Key "a..b" contains ".."');
		await expect(putText('order 1', 'x')).rejects.toThrow('Key "order 1" contains "a space", which keys cannot hold');
		await expect(get('orders.*')).rejects.toThrow('Key "orders.*" contains "*", which keys cannot hold');
		await expect(run({ operation: 'getAllKeys', kvBucket: bucket, kvKeyFilter: 'orders.>.x', returnAll: true })).rejects.toThrow(
			'Filter "orders.>.x" has ">" before the end',
		);
	});

	it('with Continue On Fail, a failing item becomes an error item and the others are written', async () => {
		await putText('taken', 'first');
		const items = [{ json: { key: 'free.1' } }, { json: { key: 'taken' } }, { json: { key: 'bad key' } }, { json: { key: 'free.2' } }];
		const out = await run(
			{ operation: 'create', kvBucket: bucket, kvKey: (i: number) => items[i].json.key, kvValueFrom: 'json', kvCreateOptions: {} },
			{ items, continueOnFail: true },
		);

		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json).toMatchObject({ key: 'free.1', revision: expect.any(Number) });
		expect(out[1].json.error).toMatch(/^Key "taken" already exists in Key-Value bucket/);
		expect(out[1].json.hint).toMatch(/Use Put to overwrite it/);
		expect(out[2].json.error).toBe('Key "bad key" contains "a space", which keys cannot hold');
		expect(out[3].json).toMatchObject({ key: 'free.2', revision: expect.any(Number) });
		expect((await get('free.2')).value).toEqual({ key: 'free.2' });
	});

	it('without Continue On Fail, the error names the item', async () => {
		const items = [{ json: {} }, { json: {} }];
		await expect(
			run({ operation: 'set', kvBucket: bucket, kvKey: (i: number) => (i === 0 ? 'ok' : '.bad'), kvValueFrom: 'json', kvPutOptions: {} }, { items }),
		).rejects.toMatchObject({ context: { itemIndex: 1 } });
	});

	it('says which field is missing when the value comes from an item field', async () => {
		await expect(
			run(
				{ operation: 'set', kvBucket: bucket, kvKey: 'k', kvValueFrom: 'field', kvValueField: 'order.total', kvPutOptions: {} },
				{ items: [{ json: { order: { id: 1 } } }] },
			),
		).rejects.toThrow('The item has no field "order.total"');
	});

	const version = installedServerVersion();

	if (atLeast(version, '2.11.0')) {
		it('writes a key that expires on its own on a 2.11+ server, in a bucket with per-key TTL', async () => {
			// A marker TTL above the key's TTL would raise it (2.15 stores the larger one).
			await run({ operation: 'upsertBucket', kvBucket: bucket, kvHistory: 10, kvTtlSeconds: 0, kvBucketOptions: { markerTtlSeconds: 1 } });
			await run({ operation: 'create', kvBucket: bucket, kvKey: 'session.1', kvValueFrom: 'text', kvValueText: 'x', kvCreateOptions: { keyTtlSeconds: 1 } });
			expect(await get('session.1')).toMatchObject({ value: 'x' });
			await new Promise((resolve) => setTimeout(resolve, 2_500));
			await expect(get('session.1')).rejects.toThrow(/was not found/);
		});
	} else {
		it('refuses a per-key TTL on a server older than 2.11, and writes nothing', async () => {
			await expect(
				run({ operation: 'create', kvBucket: bucket, kvKey: 'session.1', kvValueFrom: 'text', kvValueText: 'x', kvCreateOptions: { keyTtlSeconds: 30 } }),
			).rejects.toThrow(`Key TTL (per-key expiry) needs NATS server 2.11.0 or newer; this server runs ${version}`);
			await expect(get('session.1')).rejects.toThrow(/was not found/);
		});
	}
});
