import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { INodeExecutionData } from 'n8n-workflow';

import { JetStream } from '../../nodes/JetStream/JetStream.node';
import { connectionPool } from '../../nodes/shared/transport';
import { fakeExecute, type ParamValue } from '../helpers/fakeExecute';
import { serverAtLeast, serverVersion, startNatsServer, uniqueName, withServerLog, type NatsServer } from '../helpers/natsServer';

/**
 * Bad input for the JetStream node: every case fails with a message that says what to fix, and
 * nothing is stored half-way (the stream holds exactly what it held before, or what was reported).
 */

let server: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let stream: string;
const node = new JetStream();

beforeAll(async () => {
	server = await startNatsServer({
		label: 'bad-input-action',
		config: `accounts { APP { jetstream: enabled, users: [
			{ user: admin, password: admin-pw },
			{ user: narrow, password: narrow-pw, permissions: { publish: { allow: ["allowed.>", "_INBOX.>", "$JS.API.INFO"] }, subscribe: { allow: ["_INBOX.>"] } } }
		] } }`,
	});
	nc = await connect({ servers: server.url, user: 'admin', pass: 'admin-pw' });
	jsm = await jetstreamManager(nc);
});

afterAll(async () => {
	await connectionPool.closeAll();
	await nc.close();
	await server.cleanup();
});

beforeEach(async () => {
	stream = uniqueName('BAD');
	await withServerLog(server, jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`, `allowed.${stream.toLowerCase()}.>`] }));
});

afterEach(async () => {
	await jsm.streams.delete(stream);
});

const admin = () => ({ servers: server.url, authType: 'userPassword', user: 'admin', password: 'admin-pw' });
const subject = () => `${stream.toLowerCase()}.created`;
const stored = async () => (await jsm.streams.info(stream)).state.messages;

async function failure(params: Record<string, ParamValue>, items: INodeExecutionData[] = [{ json: { a: 1 } }], credentials = admin()): Promise<Error> {
	const { context } = fakeExecute({ params, items, credentials });
	return await node.execute.call(context).then(
		() => new Error('the node succeeded although its input was bad'),
		(error: Error) => error,
	);
}

const publish = (extra: Record<string, ParamValue>) => ({ resource: 'message', operation: 'publish', subject: subject(), ...extra });

describe('JetStream node refuses bad input clearly and stores nothing half-way', () => {
	const cases: Array<[string, () => Record<string, ParamValue>, RegExp]> = [
		['empty subject', () => publish({ subject: '' }), /"Subject" is empty/],
		['wildcard subject', () => publish({ subject: 'orders.*' }), /Subject "orders\.\*" contains a wildcard/],
		['subject with a space', () => publish({ subject: 'orders created' }), /Subject "orders created" contains whitespace/],
		['subject no stream captures', () => publish({ subject: 'nowhere.at.all' }), /No stream captures subject "nowhere\.at\.all"/],
		['payload over max_payload', () => publish({ payloadSource: 'text', payloadText: 'x'.repeat(2 * 1024 * 1024) }), /the server accepts at most 1048576 bytes \(max_payload\)/],
		['binary property missing', () => publish({ payloadSource: 'binary', payloadBinaryProperty: 'file' }), /Item 1 has no binary property "file"/],
		['header name with spaces', () => publish({ headers: { header: [{ name: 'Order Id', value: '1' }] } }), /"Order Id" is not a valid header name/],
		['expected last sequence that does not match', () => publish({ publishOptions: { expectedLastSequence: 42 } }), /last sequence/i],
		['expected stream that is another one', () => publish({ publishOptions: { expectedStream: 'OTHER' } }), /is stored by another stream than "OTHER"/],
		['envelope without an event type', () => publish({ publishOptions: { envelope: 'structured' } }), /"Event Type" is empty/],
		['absurd in-flight window', () => publish({ publishOptions: { maxInFlight: -3 } }), /"Max Publishes in Flight" cannot be -3/],
		['unknown stream (Get)', () => ({ resource: 'message', operation: 'get', messageStream: 'NOPE', getBy: 'sequence', sequence: 1 }), /Stream "NOPE" does not exist/],
		['unknown stream (Stream info)', () => ({ resource: 'stream', operation: 'get', stream: 'NOPE' }), /Stream "NOPE" does not exist/],
		['acknowledge without an ack token', () => ({ resource: 'message', operation: 'acknowledge', ackToken: '', ackAction: 'ack' }), /has no ack token/],
		['request nobody answers', () => ({ resource: 'message', operation: 'request', subject: 'svc.nobody', requestTimeout: 0.5 }), /Nobody is listening on subject "svc\.nobody"/],
		['KV key with a space', () => ({ resource: 'keyValue', operation: 'get', kvBucket: 'b', kvKey: 'a b' }), /a b/],
		['KV bucket that does not exist', () => ({ resource: 'keyValue', operation: 'get', kvBucket: 'no_such_bucket', kvKey: 'k' }), /Key-Value bucket "?no_such_bucket"? does not exist/],
	];
	// A feature of a newer server is refused, naming the version it needs and the one it found.
	if (!serverAtLeast('2.11.0')) {
		cases.push(['KV per-key TTL on a server before 2.11', () => ({ resource: 'keyValue', operation: 'createBucket', kvBucket: uniqueName('b'), kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: { markerTtlSeconds: 5 } }), new RegExp(`2\\.11.*${serverVersion().replace(/\./g, '\\.')}`)]);
	}

	it.each(cases)('%s', async (_case, params, message) => {
		const error = await failure(params());
		expect(error.message).toMatch(message);
		expect(await stored()).toBe(0);
	});

	it('KV revision conflict names both revisions and leaves the value as it was', async () => {
		const bucket = uniqueName('kv').toLowerCase();
		const kv = await new Kvm(nc).create(bucket);
		const revision = await kv.put('k', 'v1');
		await kv.put('k', 'v2');
		const error = await failure({ resource: 'keyValue', operation: 'update', kvBucket: bucket, kvKey: 'k', kvValueFrom: 'text', kvValueText: 'v3', kvExpectedRevision: revision });
		expect(error.message).toMatch(new RegExp(`KV revision conflict.*revision ${revision + 1}.*expected revision ${revision}`));
		expect((await kv.get('k'))?.string()).toBe('v2');
		await kv.destroy();
	});

	it('permission denied on publish says so and names the subject', async () => {
		const error = await failure(publish({}), undefined, { servers: server.url, authType: 'userPassword', user: 'narrow', password: 'narrow-pw' });
		expect(error.message).toMatch(/Permission denied|not allowed|permission/i);
		expect(error.message).not.toContain('narrow-pw');
		expect(await stored()).toBe(0);
	});

	it('a subject no stream stores, for a credential that may not ask which stream stores it: says it is most likely that', async () => {
		const nowhere = `allowed.nowhere.${stream.toLowerCase()}`;
		const error = (await failure(publish({ subject: nowhere }), undefined, { servers: server.url, authType: 'userPassword', user: 'narrow', password: 'narrow-pw' })) as Error & { description?: string };
		expect(error.message).toBe(`No stream answered for subject "${nowhere}" in 30 s; nothing was stored`);
		expect(error.description).toMatch(/^Most likely no stream stores this subject: create one with a JetStream node set to Stream → Create, run on its own \(not connected after this node\) or in another workflow, or fix the subject/);
		expect(error.description).toContain('$JS.API.STREAM.NAMES');
		expect(`${error.message} ${error.description}`).not.toMatch(/Nobody is listening|electing a leader, or too few/);
	}, 60_000);

	it('a server that goes down mid-publish: the error says how many items were stored, and exactly those are', async () => {
		const local = await startNatsServer({ label: 'bad-input-down' });
		try {
			const lnc = await connect({ servers: local.url });
			await (await jetstreamManager(lnc)).streams.add({ name: 'DOWN', subjects: ['down.>'] });
			await lnc.close();
			const items = Array.from({ length: 20_000 }, (_, n) => ({ json: { n } }));
			const { context } = fakeExecute({
				params: { resource: 'message', operation: 'publish', subject: 'down.x', publishOptions: { maxInFlight: 64 } },
				items,
				credentials: { servers: local.url, authType: 'none' },
			});
			const running = node.execute.call(context).then(() => undefined, (e: Error & { description?: string }) => e);
			setTimeout(() => void local.stop('SIGKILL'), 150);
			const error = await running;
			expect(error?.message).toMatch(/JetStream did not confirm the message to "down\.x"|connection/i);
			const reported = Number(/(\d+) of 20000 item\(s\) were stored/.exec(error?.description ?? '')?.[1]);
			expect(Number.isNaN(reported)).toBe(false);
			await local.restart();
			const rnc = await connect({ servers: local.url });
			const info = await (await jetstreamManager(rnc)).streams.info('DOWN');
			await rnc.close();
			// A message whose acknowledgement was lost with the server may be stored without being reported.
			expect(info.state.messages).toBeGreaterThanOrEqual(reported);
			expect(info.state.messages - reported).toBeLessThanOrEqual(64);
		} finally {
			await connectionPool.closeAll();
			await local.cleanup();
		}
	});
});

describe('sanity: the same node stores good input', () => {
	it('publishes through the admin credential', async () => {
		const { context } = fakeExecute({ params: publish({}), items: [{ json: { ok: true } }], credentials: admin() });
		await node.execute.call(context);
		await jetstream(nc).publish(subject(), 'direct');
		expect(await stored()).toBe(2);
	});
});
