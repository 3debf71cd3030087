import { createHash, randomBytes } from 'node:crypto';

import { headers as natsHeaders } from '@nats-io/transport-node';

import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { expectMatchesSchema, triggerSchemaFile } from '../../helpers/outputSchemas';
import { ObjectContent } from '../../../nodes/JetStreamTrigger/consumer/objectContent';
import { Outage } from '../../../nodes/shared/n8n/outage';
import { createClient } from '../../../nodes/shared/transport/client';
import { openConnection } from '../../../nodes/shared/transport/connect';
import { parseCredentials } from '../../../nodes/shared/transport/credentials';
import { pause } from '../trigger/harness';
import { bucketSuite } from './harness';

/** The JetStream Object Store Trigger against a real nats-server: new, updated and deleted objects, their bytes, faults. */

const suite = bucketSuite('object-trigger');

const readable = (bytes: Uint8Array) =>
	new ReadableStream<Uint8Array>({
		start(controller) {
			// Several writes, so the object spans several chunks of the client's size.
			for (let at = 0; at < bytes.length; at += 50_000) controller.enqueue(bytes.subarray(at, at + 50_000));
			controller.close();
		},
	});

function pdfHeaders() {
	const h = natsHeaders();
	h.set('Content-Type', 'application/pdf');
	return h;
}

/** As NATS writes it: base64 with the URL-safe alphabet, padded. */
const sha256 = (data: Uint8Array) => `SHA-256=${createHash('sha256').update(data).digest('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;

describe('JetStream Object Store Trigger', () => {
	it('starts one execution per new, updated and deleted object, with the bytes of each version as binary data', async () => {
		const bucket = suite.bucketName('objectStore');
		const store = await suite.objm().create(bucket);
		const trigger = await suite.start('objectStore', bucket, uniqueName('c'));
		const v1 = randomBytes(300_000);
		const v2 = new TextEncoder().encode('invoice 42, second version');
		await store.put({ name: 'invoices/2026/42.pdf', headers: pdfHeaders(), description: 'Invoice 42' }, readable(v1));
		await eventually(() => trigger.fake.items().length === 1, 15_000, 'the new object');
		await store.putBlob({ name: 'invoices/2026/42.pdf' }, v2);
		await eventually(() => trigger.fake.items().length === 2, 15_000, 'the update');
		await store.delete('invoices/2026/42.pdf');
		await eventually(() => trigger.fake.items().length === 3, 15_000, 'the delete');
		await pause(800);
		const [created, updated, deleted] = trigger.fake.items();
		expect(created.json).toMatchObject({ bucket, name: 'invoices/2026/42.pdf', operation: 'put', size: v1.length, digest: sha256(v1), description: 'Invoice 42', contentAttached: true });
		expect(Number(created.json.chunks)).toBeGreaterThan(1);
		expect(created.binary?.data.fileName).toBe('42.pdf');
		expect(created.binary?.data.mimeType).toBe('application/pdf');
		expect(Buffer.from(created.binary!.data.data, 'base64').equals(v1)).toBe(true);
		expect(updated.json).toMatchObject({ operation: 'put', size: v2.length, digest: sha256(v2), contentAttached: true });
		expect(Buffer.from(updated.binary!.data.data, 'base64').equals(Buffer.from(v2))).toBe(true);
		expect(deleted.json).toMatchObject({ operation: 'delete', contentAttached: false });
		expect(deleted.binary).toBeUndefined();
		expectMatchesSchema(triggerSchemaFile('JetStreamObjectStoreTrigger'), [created, updated, deleted]);
	});

	it('gives the description only when Download Content is off', async () => {
		const bucket = suite.bucketName('objectStore');
		const store = await suite.objm().create(bucket);
		const trigger = await suite.start('objectStore', bucket, uniqueName('c'), { params: { download: false } });
		await store.putBlob({ name: 'a.txt' }, new TextEncoder().encode('hello'));
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the object');
		expect(trigger.fake.items()[0].json).toMatchObject({ name: 'a.txt', size: 5, contentAttached: false });
		expect(trigger.fake.items()[0].binary).toBeUndefined();
	});

	it('delivers an object put while it was closed when it opens again', async () => {
		const bucket = suite.bucketName('objectStore');
		const store = await suite.objm().create(bucket);
		const consumer = uniqueName('c');
		await (await suite.start('objectStore', bucket, consumer)).close();
		await store.putBlob({ name: 'while-closed.csv' }, new TextEncoder().encode('a,b\n1,2\n'));
		const trigger = await suite.start('objectStore', bucket, consumer);
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the object put while closed');
		expect(Buffer.from(trigger.fake.items()[0].binary!.data.data, 'base64').toString()).toBe('a,b\n1,2\n');
	});

	it('dead-letters an object whose bytes do not match its digest, naming it, without running the workflow', async () => {
		const bucket = suite.bucketName('objectStore');
		const store = await suite.objm().create(bucket);
		const consumer = uniqueName('c');
		await (await suite.start('objectStore', bucket, consumer)).close();
		const info = await store.putBlob({ name: 'report.bin' }, randomBytes(1_000));
		// A chunk more under the object's chunk subject: its bytes no longer match its digest.
		await suite.nc.request(`$O.${bucket}.C.${info.nuid}`, randomBytes(10));
		const trigger = await suite.start('objectStore', bucket, consumer);
		const jsm = await suite.jsm();
		await eventually(async () => (await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages === 1, 15_000, 'the dead-letter copy');
		await pause(500);
		expect(trigger.fake.emissions).toHaveLength(0);
		const dlq = await jsm.streams.info('DLQ');
		const copy = await jsm.streams.getMessage('DLQ', { seq: dlq.state.last_seq });
		// Read as "could not parse": the bytes the description promises cannot be had.
		expect(copy?.header.get('X-Dlq-Reason')).toBe('parse-error');
		expect(copy?.header.get('X-Dlq-Error')).toContain(`Object "report.bin" of bucket "${bucket}" is corrupt`);
	});

	it('says a version replaced before it was read has no bytes, rather than giving the newer ones', async () => {
		const bucket = suite.bucketName('objectStore');
		const store = await suite.objm().create(bucket);
		const old = await store.putBlob({ name: 'x' }, new TextEncoder().encode('v1'));
		await store.putBlob({ name: 'x' }, new TextEncoder().encode('v2'));
		const credentials = parseCredentials({ servers: suite.server.url, authType: 'none' });
		const client = createClient(await openConnection(credentials, { reconnect: false }), credentials);
		try {
			const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
			const prepare = () => Promise.reject(new Error('no bytes should be read'));
			const outage = new Outage('Object store bucket', { logger, recordFailure: () => undefined }, { baseDelayMs: 1_000, maxDelayMs: 5_000 }, 'hint');
			const content = new ObjectContent(client, bucket, prepare, outage, logger);
			const message = { delivery: {} as never, payload: { kind: 'json' as const, value: { name: 'x', nuid: old.nuid, size: 2 } } } as Parameters<ObjectContent['attach']>[0];
			expect(await content.attach(message)).toEqual({ action: 'process' });
			expect(message.content).toEqual({ missing: 'this version of the object was replaced before it was read' });
		} finally {
			await client.nc.close();
		}
	});
	it('says so when an object cannot be read, rather than retrying in silence, and says when it can again', async () => {
		const bucket = suite.bucketName('objectStore');
		const credentials = parseCredentials({ servers: suite.server.url, authType: 'none' });
		const client = createClient(await openConnection(credentials, { reconnect: false }), credentials);
		try {
			const lines: string[] = [];
			const logger = { debug: () => undefined, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`), error: (m: string) => lines.push(`error ${m}`) };
			const outage = new Outage(`Object store bucket "${bucket}"`, { logger, recordFailure: () => undefined }, { baseDelayMs: 1_000, maxDelayMs: 5_000 }, 'hint');
			const prepare = async () => ({ data: '', mimeType: 'text/plain' });
			const content = new ObjectContent(client, bucket, prepare, outage, logger);
			const message = () => ({ delivery: {} as never, payload: { kind: 'json' as const, value: { name: 'a.txt', nuid: 'n1', size: 1, digest: 'SHA-256=x' } } }) as Parameters<ObjectContent['attach']>[0];
			// The bucket does not exist yet: its stream cannot be read.
			expect(await content.attach(message())).toMatchObject({ action: 'wait', outage: true });
			expect(lines.some((l) => l.startsWith(`warn Object store bucket "${bucket}" cannot be reached`))).toBe(true);
			await (await suite.objm().create(bucket)).putBlob({ name: 'other.txt' }, new TextEncoder().encode('x'));
			expect(await content.attach(message())).toEqual({ action: 'process' });
			expect(lines.some((l) => l.startsWith(`info Object store bucket "${bucket}" answers again`))).toBe(true);
		} finally {
			await client.nc.close();
		}
	});
});
