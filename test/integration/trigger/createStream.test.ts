import { jetstream, jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { connectionPool, createClient, parseCredentials } from '../../../nodes/shared/transport';
import * as streamCreate from '../../../nodes/shared/transport/streamCreate';
import { keepAccountStore, KEEPER } from '../../helpers/accountStore';
import { eventually } from '../../helpers/fakeTrigger';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { activate, type ActivateOptions, type ActiveTrigger, type TestStream } from './harness';

/**
 * "Create Stream If Missing": from an empty server to a running trigger without leaving the trigger.
 * The trigger creates only what is missing and never changes a stream that exists; two activations
 * at once end with one stream and two running triggers; every refusal says what to do.
 */

let server: NatsServer;
let admin: NatsConnection;
let jsm: JetStreamManager;
const started: ActiveTrigger[] = [];

beforeAll(async () => {
	server = await startNatsServer({ label: 'create-stream' });
	admin = await connect({ servers: server.url });
	jsm = await jetstreamManager(admin);
	// The account is never left without a stream (see accountStore.ts); its subject overlaps nothing here.
	await keepAccountStore(jsm);
});

afterEach(async () => {
	jest.restoreAllMocks();
	for (const trigger of started.splice(0)) await trigger.close();
	for await (const name of jsm.streams.names()) if (name !== KEEPER) await jsm.streams.delete(name);
});

afterAll(async () => {
	await connectionPool.closeAll();
	await admin?.close();
	await server?.cleanup();
});

/** A stream name no stream has yet; the trigger is told to read it. */
const missing = (): TestStream => ({ name: uniqueName('NEW') }) as TestStream;

async function start(stream: TestStream, params: Record<string, unknown>, extra: ActivateOptions = {}): Promise<ActiveTrigger> {
	const trigger = await activate(server, stream, 'orders', { ...extra, params: { deadLetter: false, ...params } });
	started.push(trigger);
	return trigger;
}

async function failure(stream: TestStream, params: Record<string, unknown>): Promise<Error & { description?: string }> {
	return await start(stream, params).then(
		() => new Error('the trigger activated'),
		(error: Error) => error,
	);
}

const original = streamCreate.createMissingStream;

/** An activation error as n8n shows it (what to do in the message itself, typographic quotes), read with plain ones. */
const plain = (error: Error) => error.message.replace(/[“”]/g, '"');

const streamExists = async (name: string) => (await jsm.streams.info(name).then(() => true, () => false)) as boolean;

describe('JetStream Trigger: Create Stream If Missing', () => {
	it('creates the stream on a fresh server, on disk and keeping everything, and runs the message published to it', async () => {
		const stream = missing();
		const { fake } = await start(stream, { createStream: true, deadLetter: true });
		const info = await jsm.streams.info(stream.name);
		expect(info.config).toMatchObject({ subjects: [`${stream.name}.>`], storage: 'file', retention: 'limits', max_msgs: -1, max_bytes: -1, max_age: 0 });
		await jetstream(admin).publish(`${stream.name}.created`, JSON.stringify({ orderId: 'A-1' }));
		await eventually(() => fake.emissions.length === 1, 10_000, 'the execution of the published message');
		expect(fake.items()[0].json.payload).toEqual({ orderId: 'A-1' });
		expect(fake.logs.some((l) => l.level === 'info' && l.message.includes(`Created stream "${stream.name}" storing ${stream.name}.>`))).toBe(true);
	});

	it('creates it with the Filter Subjects when Stream Subjects is empty, and with Stream Subjects when given', async () => {
		const filtered = missing();
		await start(filtered, { createStream: true, filterSubjects: 'shop.orders.created' });
		expect((await jsm.streams.info(filtered.name)).config.subjects).toEqual(['shop.orders.created']);
		const typed = missing();
		await start(typed, { createStream: true, streamSubjects: 'billing.>, refunds.*', filterSubjects: 'billing.invoice' });
		expect((await jsm.streams.info(typed.name)).config.subjects).toEqual(['billing.>', 'refunds.*']);
	});

	it('in a test run ("Listen for test event") too: the stream is created and the test consumer reads from it', async () => {
		const stream = missing();
		const { fake } = await start(stream, { createStream: true, deliverPolicy: 'new' }, { mode: 'manual' });
		await jetstream(admin).publish(`${stream.name}.x`, JSON.stringify({ n: 1 }));
		await eventually(() => fake.emissions.length === 1, 10_000, 'the test run got the message');
	});

	it('is off by default: the error names the option and a way that works from the trigger, and creates nothing', async () => {
		const stream = missing();
		const error = await failure(stream, {});
		// Activating shows only the message, so it carries the way forward itself.
		expect(plain(error)).toBe(
			`Stream "${stream.name}" does not exist. Turn on "Create Stream If Missing" in this trigger, or create it with a JetStream node set to Stream → Create or Update, run on its own (not connected after this node) or in another workflow. Or check the stream name.`,
		);
		expect(error.description).toContain('Turn on "Create Stream If Missing" in this trigger');
		expect(error.description).toContain('create it with a JetStream node set to Stream → Create or Update, run on its own (not connected after this node) or in another workflow');
		expect(await streamExists(stream.name)).toBe(false);
	});

	it('never changes a stream that exists: its subjects and limits stay as they were', async () => {
		const name = uniqueName('OLD');
		await jsm.streams.add({ name, subjects: [`${name}.a`, `${name}.b`], max_msgs: 50, storage: 'memory' as StreamConfig['storage'] });
		const before = (await jsm.streams.info(name)).config;
		const { fake } = await start({ name } as TestStream, { createStream: true, streamSubjects: `${name}.>`, filterSubjects: `${name}.a` });
		await jetstream(admin).publish(`${name}.a`, JSON.stringify({ n: 1 }));
		await eventually(() => fake.emissions.length === 1, 10_000, 'the execution');
		expect((await jsm.streams.info(name)).config).toEqual(before);
		expect(fake.logs.some((l) => l.message.includes('Created stream'))).toBe(false);
	});

	it('is ignored when binding to an existing consumer: nothing is created and the error says how to have one created', async () => {
		const stream = missing();
		const error = await failure(stream, { consumerMode: 'bind', createStream: true });
		expect(plain(error)).toMatch(new RegExp(`^Stream "${stream.name}" does not exist\\. Check the stream name`));
		expect(error.description).toContain('set Consumer to "Create or Update Consumer From These Settings" and turn on "Create Stream If Missing"');
		expect(await streamExists(stream.name)).toBe(false);
	});

	it('two activations at once (two triggers, or two n8n mains) end with one stream, created once, and both triggers reading', async () => {
		const stream = missing();
		// Different subjects: whichever create comes second is refused ("name already in use"), not merged.
		const [first, second] = await Promise.all([
			activate(server, stream, 'orders', { params: { createStream: true, deadLetter: false } }),
			activate(server, stream, 'audit', { params: { createStream: true, deadLetter: false, filterSubjects: `${stream.name}.x` } }),
		]);
		started.push(first, second);
		await jetstream(admin).publish(`${stream.name}.x`, JSON.stringify({ n: 1 }));
		await eventually(() => first.fake.emissions.length === 1 && second.fake.emissions.length === 1, 10_000, 'both triggers ran the message');
		const logs = [...first.fake.logs, ...second.fake.logs].map((l) => l.message);
		expect(logs.filter((m) => m.startsWith(`Created stream "${stream.name}"`))).toHaveLength(1);
		expect([[`${stream.name}.>`], [`${stream.name}.x`]]).toContainEqual((await jsm.streams.info(stream.name)).config.subjects);
	});

	it('uses a stream someone else created between its look and its create, with other settings, as it is', async () => {
		const stream = missing();
		const theirs = { name: stream.name, subjects: [`${stream.name}.theirs`], max_msgs: 7 };
		// Another n8n main wins the race: its stream appears after the trigger saw none, before its own create.
		const create = jest.spyOn(streamCreate, 'createMissingStream').mockImplementationOnce(async (client, wanted) => {
			await jsm.streams.add({ ...theirs });
			return await original(client, wanted);
		});
		const { fake } = await start(stream, { createStream: true });
		expect(create).toHaveBeenCalledTimes(1);
		expect((await jsm.streams.info(stream.name)).config).toMatchObject(theirs);
		expect(fake.logs.map((l) => l.message)).toContain(`Stream "${stream.name}" was created meanwhile by someone else; using it as it is`);
		await jetstream(admin).publish(`${stream.name}.theirs`, JSON.stringify({ n: 1 }));
		await eventually(() => fake.emissions.length === 1, 10_000, 'the execution');
	});

	it('a create that comes second is answered "it exists", not merged, whatever its settings', async () => {
		const name = uniqueName('RACE');
		const client = createClient(admin, parseCredentials({ servers: server.url, authType: 'none' }));
		const outcomes = await Promise.all([
			original(client, { name, subjects: [`${name}.a`] }),
			original(client, { name, subjects: [`${name}.b`] }),
		]);
		expect(outcomes.map((o) => o.outcome).sort()).toEqual(['created', 'existed']);
		expect([[`${name}.a`], [`${name}.b`]]).toContainEqual((await jsm.streams.info(name)).config.subjects);
	});

	it('names the stream that already stores the subjects, and says what to do', async () => {
		const owner = uniqueName('OWNER');
		await jsm.streams.add({ name: owner, subjects: ['shop.>'] });
		const stream = missing();
		const error = await failure(stream, { createStream: true, filterSubjects: 'shop.orders.created' });
		expect(plain(error).startsWith(`Cannot create stream "${stream.name}": stream "${owner}" already stores some of its subjects (shop.orders.created). A subject`)).toBe(true);
		expect(error.description).toContain(`Read from "${owner}" instead (choose it as Stream and put the subjects in Filter Subjects)`);
		expect(await streamExists(stream.name)).toBe(false);
	});

	it('a credential asking for 3 replicas on a single server: says to set them to 1, and where', async () => {
		const stream = missing();
		const error = await start(stream, { createStream: true }, { credentials: { servers: server.url, authType: 'none', replicas: 3 } }).then(
			() => new Error('the trigger activated'),
			(e: Error & { description?: string }) => e,
		);
		expect(plain(error).startsWith('This server is not a cluster: a stream or bucket with more than 1 replica cannot be created. Set the Replicas to 1')).toBe(true);
		expect((error as Error & { description?: string }).description).toContain('"Replicas for Streams and Buckets the Nodes Create"');
		expect(await streamExists(stream.name)).toBe(false);
	});

	it('refuses Stream Subjects that would not store what the trigger filters, before touching the server', async () => {
		const stream = missing();
		const error = await failure(stream, { createStream: true, streamSubjects: 'billing.>', filterSubjects: 'shop.orders' });
		expect(plain(error)).toContain('Filter subject "shop.orders" is not among the "Stream Subjects" (billing.>)');
		expect(await streamExists(stream.name)).toBe(false);
	});
});
