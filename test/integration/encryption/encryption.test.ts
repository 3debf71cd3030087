import { createCipheriv, randomBytes } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute } from '../../helpers/fakeExecute';
import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { triggerSuite } from '../trigger/harness';

/** End-to-end payload encryption (issue 25) against a real nats-server: publish, trigger, rotation, a wrong key, a foreign producer. */

const suite = triggerSuite('encryption', 'ENC');

afterAll(async () => {
	await connectionPool.closeAll();
});

const newKey = (id: string) => ({ id, key: randomBytes(32).toString('base64') });
const K1 = newKey('k1');
const K2 = newKey('k2');
const SECRET = 'swordfish-4711';

const credentials = (keys: Array<{ id: string; key: string }>) => ({
	servers: suite.server.url,
	authType: 'none',
	connectionName: uniqueName('enc'),
	encryptionKeys: JSON.stringify(keys),
});

async function publishEncrypted(keys: Array<{ id: string; key: string }>, json: IDataObject, idempotencyKey = ''): Promise<void> {
	const { context } = fakeExecute({
		params: { resource: 'message', operation: 'publish', subject: suite.stream.subject, idempotencyKey, publishOptions: { encrypt: true } },
		items: [{ json }],
		credentials: credentials(keys),
	});
	await new JetStream().execute.call(context);
}

async function run(keys: Array<{ id: string; key: string }>, params: Record<string, unknown>, continueOnFail = false): Promise<IDataObject[]> {
	const { context } = fakeExecute({ params, items: [{ json: {} }], credentials: credentials(keys), continueOnFail });
	const [out] = await new JetStream().execute.call(context);
	return out.map((o) => o.json);
}

const stored = async (seq: number) => await suite.stream.jsm.streams.getMessage(suite.stream.name, { seq });

describe('Payload encryption', () => {
	it('stores only ciphertext (key id, algorithm, idempotency key and correlation id readable) and the trigger decrypts it', async () => {
		await publishEncrypted([K1], { card: SECRET }, 'order-1');
		const raw = await stored(1);
		expect(Buffer.from(raw!.data).toString('latin1')).not.toContain(SECRET);
		expect(raw!.header.get('X-Enc-Key-Id')).toBe('k1');
		expect(raw!.header.get('X-Enc-Alg')).toBe('AES-256-GCM');
		expect(raw!.header.get('Nats-Msg-Id')).toBe('order-1');
		expect(raw!.header.get('X-Correlation-Id')).not.toBe('');
		const trigger = await suite.start(uniqueName('d'), { credentials: credentials([K1]), options: { content: 'json' } });
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the decrypted message');
		expect(trigger.fake.items()[0].json.payload).toEqual({ card: SECRET });
	});

	it('survives a key rotation: a credential with the new key first still reads messages of the old one', async () => {
		await publishEncrypted([K1], { n: 1 });
		await publishEncrypted([K2, K1], { n: 2 });
		expect((await stored(2))!.header.get('X-Enc-Key-Id')).toBe('k2');
		const trigger = await suite.start(uniqueName('d'), { credentials: credentials([K2, K1]) });
		await eventually(() => trigger.fake.items().length === 2, 10_000, 'both messages');
		expect(trigger.fake.items().map((i) => i.json.payload)).toEqual([{ n: 1 }, { n: 2 }]);
	});

	it('dead-letters a message of an unknown key at once as decrypt-failed, naming the key id, and the copy stays encrypted', async () => {
		await publishEncrypted([K1], { card: SECRET });
		const ciphertext = Buffer.from((await stored(1))!.data);
		const trigger = await suite.start(uniqueName('d'), { credentials: credentials([K2]) });
		await eventually(async () => (await suite.stream.jsm.streams.info('DLQ').catch(() => undefined))?.state.messages === 1, 10_000, 'the dead-letter copy');
		const copy = await suite.stream.jsm.streams.getMessage('DLQ', { seq: 1 });
		expect(copy!.header.get('X-Dlq-Reason')).toBe('decrypt-failed');
		expect(copy!.header.get('X-Dlq-Deliveries')).toBe('1');
		expect(copy!.header.get('X-Dlq-Error')).toContain('key id "k1"');
		expect(copy!.header.get('X-Dlq-Error')).not.toContain(K1.key);
		expect(copy!.header.get('X-Enc-Key-Id')).toBe('k1');
		expect(copy!.header.get('X-Enc-Alg')).toBe('AES-256-GCM');
		expect(Buffer.from(copy!.data).equals(ciphertext)).toBe(true);
		expect(trigger.fake.items()).toHaveLength(0);
	});

	it('reads a message a foreign producer encrypted with plain crypto code, following the README', async () => {
		const subject = suite.stream.subject;
		const nonce = randomBytes(12);
		const cipher = createCipheriv('aes-256-gcm', Buffer.from(K2.key, 'base64'), nonce);
		cipher.setAAD(Buffer.from(`${subject}\n${K2.id}`, 'utf8'));
		const data = Buffer.concat([nonce, cipher.update('{"from":"go"}', 'utf8'), cipher.final(), cipher.getAuthTag()]);
		await suite.stream.publish(1, () => data, { 'X-Enc-Alg': 'AES-256-GCM', 'X-Enc-Key-Id': K2.id });
		const trigger = await suite.start(uniqueName('d'), { credentials: credentials([K1, K2]) });
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the foreign message');
		expect(trigger.fake.items()[0].json.payload).toEqual({ from: 'go' });
	});

	it('Message → Get decrypts with the key, and fails the item naming the key id without it', async () => {
		await publishEncrypted([K1], { card: SECRET });
		const params = { resource: 'message', operation: 'get', messageStream: suite.stream.name, getBy: 'sequence', sequence: 1, messageFormat: 'auto' };
		const [clear] = await run([K2, K1], params);
		expect(clear).toMatchObject({ encryptedWith: 'k1', body: { card: SECRET }, bodyEncoding: 'json' });
		const [refused] = await run([K2], params, true);
		expect(String(refused.error)).toContain('key id "k1"');
		expect(JSON.stringify(refused)).not.toContain(SECRET);
	});

	it('Dead Letter → Get Many shows the clear payload with the key and the ciphertext without; a redrive keeps it readable', async () => {
		await publishEncrypted([K1], { card: SECRET });
		const wrongKey = await suite.start(uniqueName('d'), { credentials: credentials([K2]) });
		await eventually(async () => (await suite.stream.jsm.streams.info('DLQ').catch(() => undefined))?.state.messages === 1, 10_000, 'the dead-letter copy');
		// Closed, so the redriven copy is not dead-lettered by it again.
		await wrongKey.close();
		const list = { resource: 'deadLetter', operation: 'getAll', dlqStream: 'DLQ', limit: 10, filters: {} };
		const [withKey] = await run([K1], list);
		expect(withKey).toMatchObject({ reason: 'decrypt-failed', encryptedWith: 'k1', payload: { card: SECRET }, payloadEncoding: 'json' });
		const [withoutKey] = await run([K2], list);
		expect(withoutKey).toMatchObject({ encryptedWith: 'k1', payloadEncoding: 'base64' });
		expect(String(withoutKey.decryptError)).toContain('key id "k1"');
		const trigger = await suite.start(uniqueName('d'), { credentials: credentials([K1]), params: { deliverPolicy: 'new' } });
		await run([K1], { resource: 'deadLetter', operation: 'redrive', dlqStream: 'DLQ', select: 'all', limit: 10, targetSubject: '' });
		await eventually(() => trigger.fake.items().length === 1, 10_000, 'the redriven message');
		expect(trigger.fake.items()[0].json).toMatchObject({ payload: { card: SECRET }, streamSequence: 2 });
	});

	it('Skip Duplicates by Key reads its key from the decrypted payload (the ciphertexts of one order differ)', async () => {
		await publishEncrypted([K1], { orderId: 'A-1' });
		await publishEncrypted([K1], { orderId: 'A-1' });
		await publishEncrypted([K1], { orderId: 'B-2' });
		expect(Buffer.from((await stored(1))!.data).equals(Buffer.from((await stored(2))!.data))).toBe(false);
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, { credentials: credentials([K1]), params: { idempotency: 'payloadField', idempotencyField: '{{ $json.orderId }}' } });
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq >= 3, 10_000, 'all three acknowledged');
		expect(trigger.fake.items().map((i) => (i.json.payload as { orderId: string }).orderId)).toEqual(['A-1', 'B-2']);
	});

	it('Publish with Encrypt Payload refuses a credential without keys, naming the option, and sends nothing', async () => {
		const { context } = fakeExecute({
			params: { resource: 'message', operation: 'publish', subject: suite.stream.subject, publishOptions: { encrypt: true } },
			items: [{ json: { card: SECRET } }],
			credentials: { servers: suite.server.url, authType: 'none' },
		});
		await expect(new JetStream().execute.call(context)).rejects.toThrow(/"Encrypt Payload" is on but the NATS credential has no "Encryption Keys"/);
		expect((await suite.stream.jsm.streams.info(suite.stream.name)).state.messages).toBe(0);
	});
});
