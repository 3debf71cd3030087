import type { StoredMsg } from '@nats-io/jetstream';

import { eventually, withStraightQuotes } from '../../helpers/fakeTrigger';
import { serverAtLeast, uniqueName } from '../../helpers/natsServer';
import { expectMatchesSchema, triggerSchemaFile } from '../../helpers/outputSchemas';
import { pause } from '../trigger/harness';
import { bucketSuite } from './harness';

/** The JetStream KV Trigger against a real nats-server: every kind of change once, resuming, retries, dead letters. */

const suite = bucketSuite('kv-trigger');

const changes = (items: Array<{ json: Record<string, unknown> }>) => items.map((i) => `${String(i.json.operation)} ${String(i.json.key)}=${JSON.stringify(i.json.value)}`);

async function lastOf(stream: string): Promise<StoredMsg> {
	const jsm = await suite.jsm();
	const info = await jsm.streams.info(stream);
	const message = await jsm.streams.getMessage(stream, { seq: info.state.last_seq });
	if (!message) throw new Error(`${stream} has no message ${info.state.last_seq}`);
	return message;
}

describe('JetStream KV Trigger', () => {
	it('starts one execution per put, update, delete and purge, in order, with key, operation, value and revision', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket, { history: 5 });
		const trigger = await suite.start('keyValue', bucket, uniqueName('c'));
		const first = await kv.put('orders.1', JSON.stringify({ status: 'new' }));
		await kv.put('orders.1', JSON.stringify({ status: 'paid' }));
		await kv.put('orders.2', 'plain text');
		await kv.delete('orders.2');
		await kv.purge('orders.1');
		await eventually(() => trigger.fake.items().length >= 5, 10_000, 'five changes');
		await pause(1_500);
		const items = trigger.fake.items();
		expect(changes(items)).toEqual([
			'put orders.1={"status":"new"}',
			'put orders.1={"status":"paid"}',
			'put orders.2="plain text"',
			'delete orders.2=null',
			'purge orders.1=null',
		]);
		expect(items[0].json).toMatchObject({ bucket, revision: first, stream: `KV_${bucket}`, deliveryCount: 1, ifExecutionFails: 'retry' });
		expect(Date.parse(String(items[0].json.created))).not.toBeNaN();
		expect(new Set(items.map((i) => i.json.revision)).size).toBe(5);
		expectMatchesSchema(triggerSchemaFile('JetStreamKvTrigger'), items);
		// Every change acknowledged: nothing left for the consumer.
		const info = await (await suite.jsm()).consumers.info(`KV_${bucket}`, String(trigger.fake.context.getNodeParameter('consumerName', '')));
		expect(info.num_pending + info.num_ack_pending).toBe(0);
	});

	(serverAtLeast('2.10.0') ? it.skip : it)('refuses several key filters on a server before 2.10, naming the version it needs', async () => {
		const bucket = suite.bucketName('keyValue');
		await suite.kvm().create(bucket);
		await expect(suite.start('keyValue', bucket, uniqueName('c'), { params: { keys: 'orders.*, config.db' } })).rejects.toThrow(/2\.10\.0 or newer; this server runs 2\.9/);
	});

	(serverAtLeast('2.10.0') ? it : it.skip)('watches only the keys of its filters', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket);
		const trigger = await suite.start('keyValue', bucket, uniqueName('c'), { params: { keys: 'orders.*, config.db' } });
		await kv.put('customers.9', '{}');
		await kv.put('orders.7', '{"n":7}');
		await kv.put('orders.7.lines', '{}');
		await kv.put('config.db', '"postgres://db"');
		await eventually(() => trigger.fake.items().length >= 2, 10_000, 'the two watched keys');
		await pause(800);
		expect(trigger.fake.items().map((i) => i.json.key)).toEqual(['orders.7', 'config.db']);
	});

	it('delivers the changes made while it was closed when it opens again, and none of the earlier ones twice', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket, { history: 10 });
		const consumer = uniqueName('c');
		const before = await suite.start('keyValue', bucket, consumer);
		await kv.put('a', '1');
		await eventually(() => before.fake.items().length === 1, 10_000, 'the first change');
		await before.close();
		await kv.put('a', '2');
		await kv.put('b', '3');
		await kv.delete('a');
		const after = await suite.start('keyValue', bucket, consumer);
		await eventually(() => after.fake.items().length >= 3, 10_000, 'the three changes made while closed');
		await pause(800);
		expect(changes(after.fake.items())).toEqual(['put a=2', 'put b=3', 'delete a=null']);
	});

	it('rides out a server restart: the changes after it arrive, none before it twice', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket, { history: 10 });
		const trigger = await suite.start('keyValue', bucket, uniqueName('c'));
		await kv.put('a', '1');
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the change before the restart');
		await pause(300);
		await suite.server.restart();
		await eventually(async () => await kv.put('b', '2').then(() => true, () => false), 20_000, 'a put after the restart');
		await kv.put('a', '3');
		await eventually(() => trigger.fake.items().length >= 3, 20_000, 'the changes after the restart');
		await pause(1_000);
		expect(changes(trigger.fake.items())).toEqual(['put a=1', 'put b=2', 'put a=3']);
		expect(trigger.fake.emittedErrors).toEqual([]);
	});

	it('starts with the current value of every key, then the changes, when asked to', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket, { history: 10 });
		await kv.put('a', '"old"');
		await kv.put('a', '"current"');
		await kv.put('b', '"b1"');
		const trigger = await suite.start('keyValue', bucket, uniqueName('c'), { params: { startWith: 'current' } });
		await eventually(() => trigger.fake.items().length >= 2, 10_000, 'the current values');
		await kv.put('b', '"b2"');
		await eventually(() => trigger.fake.items().length >= 3, 10_000, 'the change after');
		await pause(800);
		expect(changes(trigger.fake.items())).toEqual(['put a="current"', 'put b="b1"', 'put b="b2"']);
	});

	it('retries a failing execution, then dead-letters the change with its key and value', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket);
		const consumer = uniqueName('c');
		const trigger = await suite.start('keyValue', bucket, consumer, {
			params: { maxDeliver: 3 },
			script: () => ({ failWith: 'the ERP refused the order', node: 'Update ERP' }),
		});
		await kv.put('orders.9', '{"total":12}');
		const jsm = await suite.jsm();
		await eventually(async () => (await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages === 1, 15_000, 'the dead-letter copy');
		await pause(800);
		expect(trigger.fake.emissions.map((e) => e.items[0].json.deliveryCount)).toEqual([1, 2, 3]);
		expect(trigger.fake.emissions[2].items[0].json.ifExecutionFails).toBe('dead-letter');
		const copy = await lastOf('DLQ');
		expect(copy.subject).toBe(`dlq.KV_${bucket}.${consumer}`);
		expect(copy.header.get('X-Dlq-Subject')).toBe(`$KV.${bucket}.orders.9`);
		expect(copy.header.get('X-Dlq-Error')).toBe('the ERP refused the order');
		expect(new TextDecoder().decode(copy.data)).toBe('{"total":12}');
	});

	it('checks values against a schema, but never a delete (which has no value)', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket);
		const schemaJson = JSON.stringify({ type: 'object', required: ['status'] });
		const trigger = await suite.start('keyValue', bucket, uniqueName('c'), { params: { schemaSource: 'inline', schemaJson, content: 'json' } });
		await kv.put('o.1', '{"status":"ok"}');
		await kv.put('o.2', '{"nostatus":true}');
		await kv.delete('o.1');
		const jsm = await suite.jsm();
		await eventually(async () => trigger.fake.items().length >= 2 && (await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages === 1, 10_000, 'two changes run, one dead-lettered');
		await pause(800);
		expect(changes(trigger.fake.items())).toEqual(['put o.1={"status":"ok"}', 'delete o.1=null']);
		expect((await lastOf('DLQ')).header.get('X-Dlq-Reason')).toBe('schema-invalid');
	});

	it('gives a binary value as a file named after its key', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket);
		const trigger = await suite.start('keyValue', bucket, uniqueName('c'), { options: { content: 'binary', binaryPropertyName: 'file' } });
		await kv.put('logo.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]));
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the change');
		const [item] = trigger.fake.items();
		expect(item.json.value).toBeNull();
		expect(item.binary?.file.fileName).toBe('logo.png');
		expect(Buffer.from(item.binary!.file.data, 'base64')).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]));
	});

	it('in a test run shows a real change and leaves no consumer behind to move', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket);
		const consumer = uniqueName('c');
		const trigger = await suite.start('keyValue', bucket, consumer, { mode: 'manual' });
		await kv.put('k', '"v"');
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the test event');
		expect(trigger.fake.items()[0].json).toMatchObject({ key: 'k', operation: 'put', value: 'v' });
		await expect((await suite.jsm()).consumers.info(`KV_${bucket}`, consumer)).rejects.toThrow(/consumer not found/i);
	});

	it('says which bucket is missing and how to make it', async () => {
		const bucket = suite.bucketName('keyValue');
		const error = await suite.start('keyValue', bucket, uniqueName('c')).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error).toBeDefined();
		expect(withStraightQuotes(error!)).toContain(`Key-value bucket "${bucket}" does not exist`);
		expect(String((error as { description?: string }).description)).toContain('Key-Value → Create Bucket');
	});

	(serverAtLeast('2.11.0') ? it : it.skip)('reports a key whose time to live ended as "expire" (servers 2.11+)', async () => {
		const bucket = suite.bucketName('keyValue');
		const kv = await suite.kvm().create(bucket, { markerTTL: 60_000 });
		const trigger = await suite.start('keyValue', bucket, uniqueName('c'));
		await kv.create('session.1', '"token"', '1s');
		await eventually(() => trigger.fake.items().length >= 2, 15_000, 'the put and its expiry');
		const [put, expired] = trigger.fake.items();
		expect(put.json).toMatchObject({ key: 'session.1', operation: 'put', value: 'token' });
		expect(expired.json).toMatchObject({ key: 'session.1', operation: 'expire', markerReason: 'MaxAge', value: null });
	});
});
