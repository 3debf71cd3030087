import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { SchemaRegistry } from '../../../nodes/shared/schema';
import { StatsBucket } from '../../../nodes/shared/stats/bucket';
import { figuresToJson } from '../../../nodes/shared/stats/entry';
import { emptyFigures } from '../../../nodes/shared/stats/figures';
import { connectionPool, createClient, parseCredentials } from '../../../nodes/shared/transport';
import { fakeExecute } from '../../helpers/fakeExecute';
import { memoryFile } from '../objectStore/harness';
import { deleteTestStreams, keepAccountStore } from '../../helpers/accountStore';
import { serverAtLeast, startNatsServer, uniqueName, withServerLog, type NatsServer } from '../../helpers/natsServer';

/**
 * README "Permissions → 9. JetStream node", proven for the management operations: a NATS user with
 * exactly an operation's publish rights (plus subscribe `_INBOX.>`) gets the job done, and the same
 * rights minus any one required entry fail at once with "Permission denied: the <Resource> →
 * <Operation> operation needs to …" naming the refused subject.
 *
 * Every test has its own names (stream, consumer, bucket…), so every test has its own NATS user: the
 * users are made from the table below before the server starts. Some rows of the README grant more
 * than one scenario needs (Create or Update: CREATE for a new stream, UPDATE for an existing one), or entries
 * it marks optional; a case lists those as `unused`, and a user without them still succeeds.
 */

const api = (rest: string) => `$JS.API.${rest}`;
const INBOX = '_INBOX.>';

/** The names one test works with; `subject` is the first token of every subject it uses. */
interface Names {
	stream: string;
	consumer: string;
	bucket: string;
	dlq: string;
	registry: string;
	target: string;
	subject: string;
}

function newNames(): Names {
	return {
		stream: uniqueName('S'),
		consumer: uniqueName('C'),
		bucket: uniqueName('B'),
		dlq: uniqueName('DLQ'),
		registry: uniqueName('REG'),
		target: uniqueName('T'),
		subject: uniqueName('subj').toLowerCase(),
	};
}

interface Case {
	/** As the node names it in errors: "Stream → Create". */
	label: string;
	scenario?: string;
	node: { resource: string; operation: string };
	/** The README row's publish entries for this scenario. */
	rights: (n: Names) => string[];
	/** Entries of `rights` this scenario does not use (optional ones, or another scenario's). */
	unused?: (n: Names) => string[];
	/** Admin-side preparation; may return parameters it found out (an ack token, a revision). */
	setup?: (n: Names) => Promise<Record<string, unknown> | void>;
	params: (n: Names) => Record<string, unknown>;
	items?: INodeExecutionData[];
	/** Asserts the real effect; `granted` is the user's publish allow list. */
	effect: (out: IDataObject[], n: Names, granted: string[]) => Promise<void>;
	/** Server version the scenario needs ("2.10.0"). */
	needs?: string;
}

// ---------------------------------------------------------------------------------------------
// Admin helpers (set-up and checks run on an unrestricted connection)

let server: NatsServer;
let admin: NatsConnection;
let jsm: JetStreamManager;
const undo: Array<() => unknown> = [];

const js = () => jetstream(admin);
const kv = (bucket: string) => new Kvm(admin).open(bucket);

async function makeStream(name: string, subjects: string[]): Promise<void> {
	await jsm.streams.add({ name, subjects });
}

async function makeBucket(bucket: string, history = 5): Promise<void> {
	await new Kvm(admin).create(bucket, { history });
}

async function putKey(bucket: string, key: string, value: string): Promise<number> {
	return (await kv(bucket)).put(key, value);
}

async function streamMissing(name: string): Promise<boolean> {
	return jsm.streams.info(name).then(
		() => false,
		() => true,
	);
}

/** Stream S storing `<subject>.>` with durable C (explicit acks), optionally filtered. */
async function makeConsumer(n: Names, config: { filter_subject?: string; filter_subjects?: string[] } = {}): Promise<void> {
	await makeStream(n.stream, [`${n.subject}.>`]);
	await jsm.consumers.add(n.stream, { durable_name: n.consumer, ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000, ...config });
}

const consumerParams = (n: Names, filterSubjects = '', ackWaitSeconds = 30) => ({
	stream: n.stream,
	consumerName: n.consumer,
	filterSubjects,
	deliverPolicy: 'all',
	ackWaitSeconds,
	maxDeliver: 5,
	backoff: '',
	maxAckPending: 1000,
	consumerDescription: '',
});

const consumerRow = (n: Names) => [api(`CONSUMER.INFO.${n.stream}.${n.consumer}`), api(`CONSUMER.CREATE.${n.stream}.${n.consumer}`), api(`CONSUMER.CREATE.${n.stream}.${n.consumer}.>`)];
const durableCreate = (n: Names) => api(`CONSUMER.DURABLE.CREATE.${n.stream}.${n.consumer}`);

/** The rights of Key-Value → Get Key History / Get Many Keys (an ordered consumer on KV_<b>). */
const watchRights = (bucket: string) => [api(`CONSUMER.CREATE.KV_${bucket}.>`), api(`CONSUMER.INFO.KV_${bucket}.*`), api(`CONSUMER.DELETE.KV_${bucket}.*`), `$JS.FC.KV_${bucket}.>`];

const bucketParams = (n: Names, history: number) => ({ kvBucket: n.bucket, kvHistory: history, kvTtlSeconds: 0, kvBucketOptions: {} });
const historyOf = async (bucket: string) => (await jsm.streams.info(`KV_${bucket}`)).config.max_msgs_per_subject;

/** Object store bucket `bucket` (the stream OBJ_<bucket>) holding "a.txt" (3 bytes), made by the admin. */
async function makeObjects(bucket: string): Promise<void> {
	await (await new Objm(admin).create(bucket)).putBlob({ name: 'a.txt' }, new TextEncoder().encode('abc'));
}
const objects = (bucket: string) => new Objm(admin).open(bucket);

/** Dead letters as the trigger writes them: to `<subject>.dlq.…`, with the X-Dlq envelope. */
const originalSubject = (n: Names) => `${n.subject}.orders.created`;

async function makeDlq(n: Names): Promise<void> {
	await makeStream(n.dlq, [`${n.subject}.dlq.>`]);
	await makeStream(n.target, [`${n.subject}.orders.>`]);
}

async function deadLetter(n: Names, reason = 'parse-error'): Promise<void> {
	const h = headers();
	h.set('X-Dlq-Subject', originalSubject(n));
	h.set('X-Dlq-Stream', n.target);
	h.set('X-Dlq-Consumer', 'billing');
	h.set('X-Dlq-Sequence', '1');
	h.set('X-Dlq-Reason', reason);
	h.set('X-Dlq-Time', new Date().toISOString());
	await js().publish(`${n.subject}.dlq.${n.target}.billing`, JSON.stringify({ order: 1, reason }), { headers: h });
}

const dlqListRights = (n: Names) => [api(`STREAM.INFO.${n.dlq}`), api(`CONSUMER.CREATE.${n.dlq}`), api(`CONSUMER.MSG.NEXT.${n.dlq}.*`), api(`CONSUMER.DELETE.${n.dlq}.*`)];
const dlqMessages = async (n: Names) => (await jsm.streams.info(n.dlq)).state.messages;

/** The admin's view of the schema registry (created when missing). */
async function registry(n: Names): Promise<SchemaRegistry> {
	return SchemaRegistry.open(createClient(admin, parseCredentials({ servers: server.url, authType: 'none' })), n.registry, true);
}

const orderSchema = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } };
const orderSchemaV2 = { type: 'object', required: ['id'], properties: { id: { type: 'string' }, note: { type: 'string' } } };

const registryRead = (n: Names) => [api(`STREAM.INFO.KV_${n.registry}`), api(`STREAM.MSG.GET.KV_${n.registry}`)];
const registryWrite = (n: Names) => [
	api(`STREAM.INFO.KV_${n.registry}`),
	api(`STREAM.CREATE.KV_${n.registry}`),
	api(`DIRECT.GET.KV_${n.registry}.>`),
	// Reads go here instead of DIRECT.GET only for a bucket without direct reads (not one made by the package).
	api(`STREAM.MSG.GET.KV_${n.registry}`),
	`$KV.${n.registry}.>`,
];
const registryList = (n: Names) => [...registryRead(n), ...watchRights(n.registry)];
const statsRead = (bucket: string) => [api(`STREAM.INFO.KV_${bucket}`), ...watchRights(bucket), api(`STREAM.MSG.GET.KV_${bucket}`)];


// ---------------------------------------------------------------------------------------------
// The table: README section 9, one row (or scenario of a row) per case

const cases: Case[] = [
	// Message
	{
		label: 'Message → Get',
		node: { resource: 'message', operation: 'get' },
		rights: (n) => [api(`STREAM.MSG.GET.${n.stream}`)],
		setup: async (n) => {
			await makeStream(n.stream, [`${n.subject}.>`]);
			await js().publish(`${n.subject}.a`, 'hello');
		},
		params: (n) => ({ messageStream: n.stream, getBy: 'sequence', sequence: 1, messageFormat: 'auto' }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ stream: n.stream, sequence: 1, subject: `${n.subject}.a`, body: 'hello' }),
	},
	{
		label: 'Message → Request',
		node: { resource: 'message', operation: 'request' },
		rights: (n) => [`${n.subject}.svc`],
		setup: async (n) => {
			const sub = admin.subscribe(`${n.subject}.svc`, { callback: (_e, m) => void m.respond(`pong:${m.string()}`) });
			undo.push(() => sub.unsubscribe());
			await admin.flush();
		},
		params: (n) => ({ subject: `${n.subject}.svc`, payloadSource: 'text', payloadText: 'ping', requestTimeout: 2, replyFormat: 'auto' }),
		effect: async (out) => expect(out[0]).toMatchObject({ body: 'pong:ping' }),
	},
	{
		label: 'Message → Acknowledge',
		node: { resource: 'message', operation: 'acknowledge' },
		rights: (n) => [`$JS.ACK.${n.stream}.${n.consumer}.>`],
		setup: async (n) => {
			await makeConsumer(n);
			await js().publish(`${n.subject}.a`, 'work');
			// A plain pull request: the delivered message's reply subject is its ack token.
			const delivered = await admin.request(api(`CONSUMER.MSG.NEXT.${n.stream}.${n.consumer}`), JSON.stringify({ batch: 1, expires: 2_000_000_000 }), { timeout: 3000, noMux: true });
			return { ackToken: delivered.reply };
		},
		params: () => ({ ackAction: 'ack' }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ acknowledged: 'ack' });
			const info = await jsm.consumers.info(n.stream, n.consumer);
			expect(info.num_ack_pending).toBe(0);
			expect(info.ack_floor.stream_seq).toBe(1);
		},
	},

	// Stream
	{
		label: 'Stream → Create',
		node: { resource: 'stream', operation: 'create' },
		rights: (n) => [api(`STREAM.INFO.${n.stream}`), api(`STREAM.CREATE.${n.stream}`)],
		params: (n) => ({ stream: n.stream, streamSubjects: `${n.subject}.>`, streamOptions: {} }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created', name: n.stream });
			expect((await jsm.streams.info(n.stream)).config.subjects).toEqual([`${n.subject}.>`]);
		},
	},
	{
		label: 'Stream → Update',
		node: { resource: 'stream', operation: 'update' },
		rights: (n) => [api(`STREAM.INFO.${n.stream}`), api(`STREAM.UPDATE.${n.stream}`)],
		setup: (n) => makeStream(n.stream, [`${n.subject}.a`]),
		params: (n) => ({ stream: n.stream, streamSubjects: `${n.subject}.a, ${n.subject}.b`, streamOptions: {} }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'updated' });
			expect((await jsm.streams.info(n.stream)).config.subjects).toContain(`${n.subject}.b`);
		},
	},
	{
		label: 'Stream → Create or Update',
		scenario: 'new stream',
		node: { resource: 'stream', operation: 'upsert' },
		rights: (n) => [api(`STREAM.INFO.${n.stream}`), api(`STREAM.CREATE.${n.stream}`), api(`STREAM.UPDATE.${n.stream}`)],
		unused: (n) => [api(`STREAM.UPDATE.${n.stream}`)],
		params: (n) => ({ stream: n.stream, streamSubjects: `${n.subject}.>`, streamOptions: {} }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created' });
			expect(await streamMissing(n.stream)).toBe(false);
		},
	},
	{
		label: 'Stream → Create or Update',
		scenario: 'existing stream, other subjects',
		node: { resource: 'stream', operation: 'upsert' },
		rights: (n) => [api(`STREAM.INFO.${n.stream}`), api(`STREAM.CREATE.${n.stream}`), api(`STREAM.UPDATE.${n.stream}`)],
		unused: (n) => [api(`STREAM.CREATE.${n.stream}`)],
		setup: (n) => makeStream(n.stream, [`${n.subject}.a`]),
		params: (n) => ({ stream: n.stream, streamSubjects: `${n.subject}.a, ${n.subject}.b`, streamOptions: {} }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'updated' });
			expect((await jsm.streams.info(n.stream)).config.subjects).toContain(`${n.subject}.b`);
		},
	},
	{
		label: 'Stream → Get',
		node: { resource: 'stream', operation: 'get' },
		rights: (n) => [api(`STREAM.INFO.${n.stream}`)],
		setup: (n) => makeStream(n.stream, [`${n.subject}.>`]),
		params: (n) => ({ stream: n.stream }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ name: n.stream, subjects: [`${n.subject}.>`] }),
	},
	{
		label: 'Stream → Get Many',
		node: { resource: 'stream', operation: 'getAll' },
		rights: () => [api('STREAM.LIST')],
		setup: (n) => makeStream(n.stream, [`${n.subject}.>`]),
		params: () => ({ listSubject: '' }),
		effect: async (out, n) => expect(out.map((s) => s.name)).toContain(n.stream),
	},
	{
		label: 'Stream → Purge',
		node: { resource: 'stream', operation: 'purge' },
		rights: (n) => [api(`STREAM.PURGE.${n.stream}`)],
		setup: async (n) => {
			await makeStream(n.stream, [`${n.subject}.>`]);
			await js().publish(`${n.subject}.a`, 'old');
		},
		params: (n) => ({ stream: n.stream, purgeSubject: '', purgeKeep: 'nothing' }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ purged: 1 });
			expect((await jsm.streams.info(n.stream)).state.messages).toBe(0);
		},
	},
	{
		label: 'Stream → Delete',
		node: { resource: 'stream', operation: 'delete' },
		rights: (n) => [api(`STREAM.DELETE.${n.stream}`)],
		setup: (n) => makeStream(n.stream, [`${n.subject}.>`]),
		params: (n) => ({ stream: n.stream, ignoreMissing: false }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ deleted: true });
			expect(await streamMissing(n.stream)).toBe(true);
		},
	},

	// Consumer
	{
		label: 'Consumer → Create',
		scenario: 'no filter',
		node: { resource: 'consumer', operation: 'create' },
		rights: consumerRow,
		unused: (n) => [api(`CONSUMER.CREATE.${n.stream}.${n.consumer}.>`)],
		setup: (n) => makeStream(n.stream, [`${n.subject}.>`]),
		params: (n) => consumerParams(n),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created', name: n.consumer });
			expect((await jsm.consumers.info(n.stream, n.consumer)).config.durable_name).toBe(n.consumer);
		},
	},
	{
		label: 'Consumer → Create',
		scenario: 'one filter subject',
		node: { resource: 'consumer', operation: 'create' },
		rights: consumerRow,
		unused: (n) => [api(`CONSUMER.CREATE.${n.stream}.${n.consumer}`)],
		setup: (n) => makeStream(n.stream, [`${n.subject}.>`]),
		params: (n) => consumerParams(n, `${n.subject}.a`),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created' });
			expect((await jsm.consumers.info(n.stream, n.consumer)).config.filter_subject).toBe(`${n.subject}.a`);
		},
	},
	{
		label: 'Consumer → Create',
		scenario: 'two filter subjects',
		needs: '2.10.0',
		node: { resource: 'consumer', operation: 'create' },
		rights: (n) => [...consumerRow(n), durableCreate(n)],
		unused: (n) => consumerRow(n).slice(1),
		setup: (n) => makeStream(n.stream, [`${n.subject}.>`]),
		params: (n) => consumerParams(n, `${n.subject}.a, ${n.subject}.b`),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created' });
			expect((await jsm.consumers.info(n.stream, n.consumer)).config.filter_subjects).toEqual([`${n.subject}.a`, `${n.subject}.b`]);
		},
	},
	{
		label: 'Consumer → Update',
		scenario: 'one filter subject',
		node: { resource: 'consumer', operation: 'update' },
		rights: consumerRow,
		unused: (n) => [api(`CONSUMER.CREATE.${n.stream}.${n.consumer}`)],
		setup: (n) => makeConsumer(n, { filter_subject: `${n.subject}.a` }),
		params: (n) => consumerParams(n, `${n.subject}.a`, 60),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'updated' });
			expect((await jsm.consumers.info(n.stream, n.consumer)).config.ack_wait).toBe(60_000_000_000);
		},
	},
	{
		label: 'Consumer → Update',
		scenario: 'two filter subjects',
		needs: '2.10.0',
		node: { resource: 'consumer', operation: 'update' },
		rights: (n) => [...consumerRow(n), durableCreate(n)],
		unused: (n) => consumerRow(n).slice(1),
		setup: (n) => makeConsumer(n, { filter_subjects: [`${n.subject}.a`, `${n.subject}.b`] }),
		params: (n) => consumerParams(n, `${n.subject}.a, ${n.subject}.b`, 60),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'updated' });
			expect((await jsm.consumers.info(n.stream, n.consumer)).config.ack_wait).toBe(60_000_000_000);
		},
	},
	{
		label: 'Consumer → Create or Update',
		scenario: 'existing consumer, no filter',
		node: { resource: 'consumer', operation: 'upsert' },
		rights: consumerRow,
		unused: (n) => [api(`CONSUMER.CREATE.${n.stream}.${n.consumer}.>`)],
		setup: (n) => makeConsumer(n),
		params: (n) => consumerParams(n, '', 60),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'updated' });
			expect((await jsm.consumers.info(n.stream, n.consumer)).config.ack_wait).toBe(60_000_000_000);
		},
	},
	{
		label: 'Consumer → Create or Update',
		scenario: 'new consumer, one filter subject',
		node: { resource: 'consumer', operation: 'upsert' },
		rights: consumerRow,
		unused: (n) => [api(`CONSUMER.CREATE.${n.stream}.${n.consumer}`)],
		setup: (n) => makeStream(n.stream, [`${n.subject}.>`]),
		params: (n) => consumerParams(n, `${n.subject}.a`),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created' });
			expect((await jsm.consumers.info(n.stream, n.consumer)).config.filter_subject).toBe(`${n.subject}.a`);
		},
	},
	{
		label: 'Consumer → Get',
		node: { resource: 'consumer', operation: 'get' },
		rights: (n) => [api(`CONSUMER.INFO.${n.stream}.${n.consumer}`)],
		setup: (n) => makeConsumer(n),
		params: (n) => ({ stream: n.stream, consumerName: n.consumer }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ stream: n.stream, name: n.consumer }),
	},
	{
		label: 'Consumer → Get Many',
		node: { resource: 'consumer', operation: 'getAll' },
		rights: (n) => [api(`CONSUMER.LIST.${n.stream}`)],
		setup: (n) => makeConsumer(n),
		params: (n) => ({ stream: n.stream }),
		effect: async (out, n) => expect(out.map((c) => c.name)).toEqual([n.consumer]),
	},
	{
		label: 'Consumer → Delete',
		node: { resource: 'consumer', operation: 'delete' },
		rights: (n) => [api(`CONSUMER.DELETE.${n.stream}.${n.consumer}`)],
		setup: (n) => makeConsumer(n),
		params: (n) => ({ stream: n.stream, consumerName: n.consumer }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ deleted: true });
			await expect(jsm.consumers.info(n.stream, n.consumer)).rejects.toThrow(/consumer not found/);
		},
	},

	{
		label: 'Message → Cancel Schedule',
		node: { resource: 'message', operation: 'cancelSchedule' },
		rights: (n) => [api(`STREAM.MSG.GET.${n.stream}`), api(`STREAM.PURGE.${n.stream}`)],
		setup: async (n) => {
			await jsm.streams.add({ name: n.stream, subjects: [`${n.subject}.>`], allow_msg_schedules: true });
			await js().publish(`${n.subject}.schedule`, 'later', { schedule: { specification: { every: '1h' }, target: `${n.subject}.due` } });
		},
		params: (n) => ({ scheduleStream: n.stream, scheduleSubject: `${n.subject}.schedule` }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ cancelled: true, specification: '@every 1h', deliverTo: `${n.subject}.due` });
			expect((await jsm.streams.info(n.stream)).state.messages).toBe(0);
		},
		needs: '2.14.0',
	},
	// Counter (2.12+)
	{
		label: 'Counter → Increment',
		node: { resource: 'counter', operation: 'increment' },
		rights: (n) => [`${n.subject}.hits`],
		setup: (n) => jsm.streams.add({ name: n.stream, subjects: [`${n.subject}.>`], allow_msg_counter: true }).then(() => undefined),
		params: (n) => ({ counterSubject: `${n.subject}.hits`, incrementBy: 2 }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ stream: n.stream, value: 2 }),
		needs: '2.12.0',
	},
	{
		label: 'Counter → Get',
		node: { resource: 'counter', operation: 'get' },
		rights: (n) => [api(`STREAM.MSG.GET.${n.stream}`)],
		setup: async (n) => {
			await jsm.streams.add({ name: n.stream, subjects: [`${n.subject}.>`], allow_msg_counter: true });
			const h = headers();
			h.set('Nats-Incr', '7');
			await js().publish(`${n.subject}.hits`, undefined, { headers: h });
		},
		params: (n) => ({ counterStream: n.stream, counterSubject: `${n.subject}.hits` }),
		effect: async (out) => expect(out[0]).toMatchObject({ value: 7, sequence: 1 }),
		needs: '2.12.0',
	},
	{
		label: 'Consumer → Pause',
		node: { resource: 'consumer', operation: 'pause' },
		rights: (n) => [api(`CONSUMER.PAUSE.${n.stream}.${n.consumer}`)],
		setup: (n) => makeConsumer(n),
		params: (n) => ({ stream: n.stream, consumerName: n.consumer, pauseUntil: new Date(Date.now() + 600_000).toISOString() }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ paused: true });
			expect((await jsm.consumers.info(n.stream, n.consumer)).paused).toBe(true);
		},
		needs: '2.11.0',
	},
	{
		label: 'Consumer → Resume',
		node: { resource: 'consumer', operation: 'resume' },
		rights: (n) => [api(`CONSUMER.PAUSE.${n.stream}.${n.consumer}`)],
		setup: async (n) => {
			await makeConsumer(n);
			await jsm.consumers.pause(n.stream, n.consumer, new Date(Date.now() + 600_000));
		},
		params: (n) => ({ stream: n.stream, consumerName: n.consumer }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ paused: false, pausedUntil: null });
			expect((await jsm.consumers.info(n.stream, n.consumer)).paused).toBeFalsy();
		},
		needs: '2.11.0',
	},
	// Key-Value
	{
		label: 'Key-Value → Get Key',
		node: { resource: 'keyValue', operation: 'get' },
		rights: (n) => [api(`STREAM.MSG.GET.KV_${n.bucket}`)],
		setup: async (n) => {
			await makeBucket(n.bucket);
			await putKey(n.bucket, 'k1', 'v1');
		},
		params: (n) => ({ kvBucket: n.bucket, kvKey: 'k1', kvGetOptions: {} }),
		effect: async (out) => expect(out[0]).toMatchObject({ found: true, key: 'k1', value: 'v1' }),
	},
	...(['set', 'update'] as const).map(
		(operation): Case => ({
			label: `Key-Value → ${operation === 'set' ? 'Set Key' : 'Update Key'}`,
			node: { resource: 'keyValue', operation },
			rights: (n) => [`$KV.${n.bucket}.>`, api(`STREAM.INFO.KV_${n.bucket}`)],
			unused: (n) => [api(`STREAM.INFO.KV_${n.bucket}`)],
			setup: async (n) => {
				await makeBucket(n.bucket);
				return { kvExpectedRevision: await putKey(n.bucket, 'k1', 'v1') };
			},
			params: (n) => ({ kvBucket: n.bucket, kvKey: 'k1', kvValueFrom: 'text', kvValueText: 'v2', kvPutOptions: {} }),
			effect: async (out, n) => {
				expect(out[0]).toMatchObject({ key: 'k1', revision: 2 });
				expect((await (await kv(n.bucket)).get('k1'))?.string()).toBe('v2');
			},
		}),
	),
	...(['delete', 'purge'] as const).map(
		(operation): Case => ({
			label: `Key-Value → ${operation === 'delete' ? 'Delete Key' : 'Purge Key'}`,
			node: { resource: 'keyValue', operation },
			rights: (n) => [`$KV.${n.bucket}.>`, api(`STREAM.INFO.KV_${n.bucket}`)],
			unused: (n) => [api(`STREAM.INFO.KV_${n.bucket}`)],
			setup: async (n) => {
				await makeBucket(n.bucket);
				await putKey(n.bucket, 'k1', 'v1');
			},
			params: (n) => ({ kvBucket: n.bucket, kvKey: 'k1', kvDeleteOptions: {} }),
			effect: async (_out, n) => expect((await (await kv(n.bucket)).get('k1'))?.operation).toBe(operation === 'delete' ? 'DEL' : 'PURGE'),
		}),
	),
	{
		label: 'Key-Value → Create Key',
		scenario: 'new key',
		node: { resource: 'keyValue', operation: 'create' },
		rights: (n) => [`$KV.${n.bucket}.>`, api(`STREAM.MSG.GET.KV_${n.bucket}`)],
		unused: (n) => [api(`STREAM.MSG.GET.KV_${n.bucket}`)],
		setup: (n) => makeBucket(n.bucket),
		params: (n) => ({ kvBucket: n.bucket, kvKey: 'k1', kvValueFrom: 'text', kvValueText: 'v1', kvCreateOptions: {} }),
		effect: async (_out, n) => expect((await (await kv(n.bucket)).get('k1'))?.string()).toBe('v1'),
	},
	{
		label: 'Key-Value → Create Key',
		scenario: 'key deleted before',
		node: { resource: 'keyValue', operation: 'create' },
		rights: (n) => [`$KV.${n.bucket}.>`, api(`STREAM.MSG.GET.KV_${n.bucket}`)],
		setup: async (n) => {
			await makeBucket(n.bucket);
			await putKey(n.bucket, 'k1', 'old');
			await (await kv(n.bucket)).delete('k1');
		},
		params: (n) => ({ kvBucket: n.bucket, kvKey: 'k1', kvValueFrom: 'text', kvValueText: 'v1', kvCreateOptions: {} }),
		effect: async (_out, n) => expect((await (await kv(n.bucket)).get('k1'))?.string()).toBe('v1'),
	},
	{
		label: 'Key-Value → Get Key History',
		node: { resource: 'keyValue', operation: 'history' },
		rights: (n) => watchRights(n.bucket),
		// The server asks for flow control only for a large history: see the next case.
		// Optional: History never reads its consumer, nothing deletes it (the server drops it when idle).
		unused: (n) => [`$JS.FC.KV_${n.bucket}.>`, api(`CONSUMER.INFO.KV_${n.bucket}.*`), api(`CONSUMER.DELETE.KV_${n.bucket}.*`)],
		setup: async (n) => {
			await makeBucket(n.bucket);
			await putKey(n.bucket, 'k1', 'v1');
			await putKey(n.bucket, 'k1', 'v2');
		},
		params: (n) => ({ kvBucket: n.bucket, kvKey: 'k1', kvHistoryOptions: {} }),
		effect: async (out) => expect(out.map((e) => e.value)).toEqual(['v1', 'v2']),
	},
	{
		label: 'Key-Value → Get Key History',
		scenario: 'a history large enough for flow control',
		node: { resource: 'keyValue', operation: 'history' },
		rights: (n) => watchRights(n.bucket),
		// Not needed: see the case above. Flow control is: without it the read would stall and come back short.
		unused: (n) => [api(`CONSUMER.INFO.KV_${n.bucket}.*`), api(`CONSUMER.DELETE.KV_${n.bucket}.*`)],
		setup: async (n) => {
			await makeBucket(n.bucket, 64);
			const bucket = await kv(n.bucket);
			for (let i = 0; i < 64; i++) await bucket.put('k1', `${i}:${'x'.repeat(200_000)}`);
		},
		params: (n) => ({ kvBucket: n.bucket, kvKey: 'k1', kvHistoryOptions: {} }),
		effect: async (out) => expect(out.map((e) => Number(String(e.value).split(':')[0]))).toEqual(Array.from({ length: 64 }, (_, i) => i)),
	},
	{
		label: 'Key-Value → Get Many Keys',
		node: { resource: 'keyValue', operation: 'getAllKeys' },
		rights: (n) => watchRights(n.bucket),
		// Flow control: only for large listings (see Get Key History).
		unused: (n) => [`$JS.FC.KV_${n.bucket}.>`, api(`CONSUMER.DELETE.KV_${n.bucket}.*`)],
		setup: async (n) => {
			await makeBucket(n.bucket);
			await putKey(n.bucket, 'k1', 'v1');
			await putKey(n.bucket, 'k2', 'v2');
		},
		params: (n) => ({ kvBucket: n.bucket, kvKeyFilter: '', returnAll: true }),
		effect: async (out) => expect(out.map((e) => e.key).sort()).toEqual(['k1', 'k2']),
	},
	{
		label: 'Key-Value → Get Bucket',
		node: { resource: 'keyValue', operation: 'getBucket' },
		rights: (n) => [api(`STREAM.INFO.KV_${n.bucket}`)],
		setup: (n) => makeBucket(n.bucket),
		params: (n) => ({ kvBucket: n.bucket }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ bucket: n.bucket, history: 5 }),
	},
	{
		label: 'Key-Value → Get Many Buckets',
		node: { resource: 'keyValue', operation: 'getAllBuckets' },
		rights: () => [api('STREAM.LIST')],
		setup: (n) => makeBucket(n.bucket),
		params: () => ({}),
		effect: async (out, n) => expect(out.map((b) => b.bucket)).toContain(n.bucket),
	},
	{
		label: 'Key-Value → Create Bucket',
		node: { resource: 'keyValue', operation: 'createBucket' },
		rights: (n) => [api(`STREAM.INFO.KV_${n.bucket}`), api(`STREAM.CREATE.KV_${n.bucket}`)],
		params: (n) => bucketParams(n, 3),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created' });
			expect(await historyOf(n.bucket)).toBe(3);
		},
	},
	{
		label: 'Key-Value → Create or Update Bucket',
		scenario: 'new bucket',
		node: { resource: 'keyValue', operation: 'upsertBucket' },
		rights: (n) => [api(`STREAM.INFO.KV_${n.bucket}`), api(`STREAM.CREATE.KV_${n.bucket}`), api(`STREAM.UPDATE.KV_${n.bucket}`)],
		unused: (n) => [api(`STREAM.UPDATE.KV_${n.bucket}`)],
		params: (n) => bucketParams(n, 3),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created' });
			expect(await historyOf(n.bucket)).toBe(3);
		},
	},
	{
		label: 'Key-Value → Create or Update Bucket',
		scenario: 'existing bucket, other history',
		node: { resource: 'keyValue', operation: 'upsertBucket' },
		rights: (n) => [api(`STREAM.INFO.KV_${n.bucket}`), api(`STREAM.CREATE.KV_${n.bucket}`), api(`STREAM.UPDATE.KV_${n.bucket}`)],
		unused: (n) => [api(`STREAM.CREATE.KV_${n.bucket}`)],
		setup: (n) => makeBucket(n.bucket, 1),
		params: (n) => bucketParams(n, 3),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'updated' });
			expect(await historyOf(n.bucket)).toBe(3);
		},
	},
	{
		label: 'Key-Value → Delete Bucket',
		node: { resource: 'keyValue', operation: 'deleteBucket' },
		rights: (n) => [api(`STREAM.DELETE.KV_${n.bucket}`)],
		setup: (n) => makeBucket(n.bucket),
		params: (n) => ({ kvBucket: n.bucket }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ deleted: true });
			expect(await streamMissing(`KV_${n.bucket}`)).toBe(true);
		},
	},

	// Object Store
	{
		label: 'Object Store → Get Bucket',
		node: { resource: 'objectStore', operation: 'getBucket' },
		rights: (n) => [api(`STREAM.INFO.OBJ_${n.bucket}`)],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ bucket: n.bucket, objects: 1 }),
	},
	{
		label: 'Object Store → Get Many Buckets',
		node: { resource: 'objectStore', operation: 'getAllBuckets' },
		rights: () => [api('STREAM.LIST')],
		setup: (n) => makeObjects(n.bucket),
		params: () => ({ returnAll: true }),
		effect: async (out, n) => expect(out.map((b) => b.bucket)).toContain(n.bucket),
	},
	{
		label: 'Object Store → Create Bucket',
		node: { resource: 'objectStore', operation: 'createBucket' },
		rights: (n) => [api(`STREAM.INFO.OBJ_${n.bucket}`), api(`STREAM.CREATE.OBJ_${n.bucket}`)],
		params: (n) => ({ objBucket: n.bucket, objBucketOptions: { ttlSeconds: 60 } }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ action: 'created' });
			expect((await jsm.streams.info(`OBJ_${n.bucket}`)).config.max_age).toBe(60e9);
		},
	},
	{
		label: 'Object Store → Delete Bucket',
		node: { resource: 'objectStore', operation: 'deleteBucket' },
		rights: (n) => [api(`STREAM.DELETE.OBJ_${n.bucket}`)],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket }),
		effect: async (_out, n) => expect(await streamMissing(`OBJ_${n.bucket}`)).toBe(true),
	},
	{
		label: 'Object Store → Upload Object',
		scenario: 'new object',
		node: { resource: 'objectStore', operation: 'upload' },
		rights: (n) => [`$O.${n.bucket}.>`, api(`STREAM.MSG.GET.OBJ_${n.bucket}`), api(`STREAM.PURGE.OBJ_${n.bucket}`)],
		unused: (n) => [api(`STREAM.PURGE.OBJ_${n.bucket}`)],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket, objName: 'b.txt', binaryPropertyName: 'data', objPutOptions: {} }),
		items: [memoryFile('hello', 'text/plain', 'b.txt')],
		effect: async (_out, n) => expect(new TextDecoder().decode((await (await objects(n.bucket)).getBlob('b.txt')) ?? undefined)).toBe('hello'),
	},
	{
		label: 'Object Store → Upload Object',
		scenario: 'replacing an object',
		node: { resource: 'objectStore', operation: 'upload' },
		rights: (n) => [`$O.${n.bucket}.>`, api(`STREAM.MSG.GET.OBJ_${n.bucket}`), api(`STREAM.PURGE.OBJ_${n.bucket}`)],
		// Without PURGE the new content is stored and read back, but the old chunks stay (nats.js ignores the refusal).
		unused: (n) => [api(`STREAM.PURGE.OBJ_${n.bucket}`)],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket, objName: 'a.txt', binaryPropertyName: 'data', objPutOptions: {} }),
		items: [memoryFile('hello', 'text/plain', 'a.txt')],
		effect: async (_out, n, granted) => {
			expect(new TextDecoder().decode((await (await objects(n.bucket)).getBlob('a.txt')) ?? undefined)).toBe('hello');
			// One chunk and one entry remain when the old chunk was purged; two chunks and the entry when not.
			const stored = (await jsm.streams.info(`OBJ_${n.bucket}`)).state.messages;
			expect(stored).toBe(granted.includes(api(`STREAM.PURGE.OBJ_${n.bucket}`)) ? 2 : 3);
		},
	},
	{
		label: 'Object Store → Download Object',
		node: { resource: 'objectStore', operation: 'download' },
		rights: (n) => [api(`STREAM.INFO.OBJ_${n.bucket}`), api(`STREAM.MSG.GET.OBJ_${n.bucket}`), api(`CONSUMER.CREATE.OBJ_${n.bucket}.>`), api(`CONSUMER.MSG.NEXT.OBJ_${n.bucket}.*`)],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket, objName: 'a.txt', binaryPropertyName: 'data' }),
		effect: async (out) => expect(out[0]).toMatchObject({ name: 'a.txt', size: 3 }),
	},
	{
		label: 'Object Store → Get Object',
		node: { resource: 'objectStore', operation: 'get' },
		rights: (n) => [api(`STREAM.MSG.GET.OBJ_${n.bucket}`)],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket, objName: 'a.txt' }),
		effect: async (out) => expect(out[0]).toMatchObject({ name: 'a.txt', size: 3 }),
	},
	{
		label: 'Object Store → Get Many Objects',
		node: { resource: 'objectStore', operation: 'getAll' },
		rights: (n) => [api(`STREAM.MSG.GET.OBJ_${n.bucket}`), api(`CONSUMER.CREATE.OBJ_${n.bucket}.>`), `$JS.FC.OBJ_${n.bucket}.>`],
		// Flow control: only for large listings (as Key-Value → Get Many Keys).
		unused: (n) => [`$JS.FC.OBJ_${n.bucket}.>`],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket, returnAll: true, objListOptions: {} }),
		effect: async (out) => expect(out.map((o) => o.name)).toEqual(['a.txt']),
	},
	{
		label: 'Object Store → Delete Object',
		node: { resource: 'objectStore', operation: 'delete' },
		rights: (n) => [`$O.${n.bucket}.>`, api(`STREAM.MSG.GET.OBJ_${n.bucket}`), api(`STREAM.PURGE.OBJ_${n.bucket}`)],
		setup: (n) => makeObjects(n.bucket),
		params: (n) => ({ objBucket: n.bucket, objName: 'a.txt' }),
		effect: async (_out, n) => expect((await (await objects(n.bucket)).info('a.txt'))?.deleted).toBe(true),
	},
	{
		label: 'Object Store → Link',
		scenario: 'to an object in another bucket',
		node: { resource: 'objectStore', operation: 'link' },
		rights: (n) => [`$O.${n.bucket}.>`, api(`STREAM.MSG.GET.OBJ_${n.bucket}`), api(`STREAM.MSG.GET.OBJ_${n.target}`)],
		setup: async (n) => {
			await new Objm(admin).create(n.bucket);
			await makeObjects(n.target);
		},
		params: (n) => ({ objBucket: n.bucket, objName: 'l.txt', objLinkTo: 'object', objTargetBucket: n.target, objTargetName: 'a.txt' }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ bucket: n.bucket, name: 'l.txt', link: { bucket: n.target, name: 'a.txt' } }),
	},
	{
		label: 'Object Store → Link',
		scenario: 'to a whole bucket',
		node: { resource: 'objectStore', operation: 'link' },
		rights: (n) => [`$O.${n.bucket}.>`, api(`STREAM.MSG.GET.OBJ_${n.bucket}`), api(`STREAM.INFO.OBJ_${n.target}`), api(`STREAM.PURGE.OBJ_${n.bucket}`)],
		// nats.js cleans up after a refused write with a purge; with PURGE refused too, that refusal is the one reported.
		unused: (n) => [api(`STREAM.PURGE.OBJ_${n.bucket}`)],
		setup: async (n) => {
			await new Objm(admin).create(n.bucket);
			await makeObjects(n.target);
		},
		params: (n) => ({ objBucket: n.bucket, objName: 'all', objLinkTo: 'bucket', objTargetBucket: n.target }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ name: 'all', link: { bucket: n.target, name: null } }),
	},

	// Dead Letter
	{
		label: 'Dead Letter → Get Many',
		node: { resource: 'deadLetter', operation: 'getAll' },
		rights: dlqListRights,
		unused: (n) => [api(`CONSUMER.DELETE.${n.dlq}.*`)],
		setup: async (n) => {
			await makeDlq(n);
			await deadLetter(n);
		},
		params: (n) => ({ dlqStream: n.dlq, limit: 10, filters: {} }),
		effect: async (out, n) => expect(out).toEqual([expect.objectContaining({ dlqSequence: 1, originalSubject: originalSubject(n), reason: 'parse-error' })]),
	},
	{
		label: 'Dead Letter → Get',
		scenario: 'one dead letter by sequence',
		node: { resource: 'deadLetter', operation: 'get' },
		rights: (n) => [api(`STREAM.MSG.GET.${n.dlq}`)],
		setup: async (n) => {
			await makeDlq(n);
			await deadLetter(n);
		},
		params: (n) => ({ dlqStream: n.dlq, sequence: 1 }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ dlqSequence: 1, originalSubject: originalSubject(n), payload: { order: 1 } }),
	},
	{
		label: 'Dead Letter → Redrive',
		scenario: 'by sequence',
		node: { resource: 'deadLetter', operation: 'redrive' },
		rights: (n) => [api(`STREAM.MSG.GET.${n.dlq}`), originalSubject(n), api(`STREAM.MSG.DELETE.${n.dlq}`)],
		unused: (n) => [api(`STREAM.MSG.DELETE.${n.dlq}`)],
		setup: async (n) => {
			await makeDlq(n);
			await deadLetter(n);
		},
		params: (n) => ({ dlqStream: n.dlq, select: 'sequences', sequences: '1', targetSubject: '' }),
		effect: (out, n, granted) => expectRedriven(out, n, granted),
	},
	{
		label: 'Dead Letter → Redrive',
		scenario: 'all',
		node: { resource: 'deadLetter', operation: 'redrive' },
		rights: (n) => [...dlqListRights(n), originalSubject(n), api(`STREAM.MSG.DELETE.${n.dlq}`)],
		unused: (n) => [api(`CONSUMER.DELETE.${n.dlq}.*`), api(`STREAM.MSG.DELETE.${n.dlq}`)],
		setup: async (n) => {
			await makeDlq(n);
			await deadLetter(n);
		},
		params: (n) => ({ dlqStream: n.dlq, select: 'all', targetSubject: '', limit: 50 }),
		effect: (out, n, granted) => expectRedriven(out, n, granted),
	},
	{
		label: 'Dead Letter → Purge',
		scenario: 'all',
		node: { resource: 'deadLetter', operation: 'purge' },
		rights: (n) => [api(`STREAM.PURGE.${n.dlq}`)],
		setup: async (n) => {
			await makeDlq(n);
			await deadLetter(n);
		},
		params: (n) => ({ dlqStream: n.dlq, purgeMode: 'all' }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ purged: 1 });
			expect(await dlqMessages(n)).toBe(0);
		},
	},
	{
		label: 'Dead Letter → Purge',
		scenario: 'older than a time',
		node: { resource: 'deadLetter', operation: 'purge' },
		rights: (n) => [...dlqListRights(n), api(`STREAM.PURGE.${n.dlq}`)],
		unused: (n) => [api(`CONSUMER.DELETE.${n.dlq}.*`)],
		setup: async (n) => {
			await makeDlq(n);
			await deadLetter(n);
			await pause(20);
			const olderThan = new Date().toISOString();
			await pause(20);
			await deadLetter(n);
			return { olderThan };
		},
		params: (n) => ({ dlqStream: n.dlq, purgeMode: 'olderThan' }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ purged: 1 });
			expect((await jsm.streams.info(n.dlq)).state).toMatchObject({ messages: 1, first_seq: 2 });
		},
	},
	{
		label: 'Dead Letter → Purge',
		scenario: 'by reason',
		node: { resource: 'deadLetter', operation: 'purge' },
		rights: (n) => [...dlqListRights(n), api(`STREAM.MSG.DELETE.${n.dlq}`)],
		unused: (n) => [api(`CONSUMER.DELETE.${n.dlq}.*`)],
		setup: async (n) => {
			await makeDlq(n);
			await deadLetter(n, 'parse-error');
			await deadLetter(n, 'rejected');
		},
		params: (n) => ({ dlqStream: n.dlq, purgeMode: 'filter', filters: { reasons: ['parse-error'] } }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ purged: 1 });
			expect((await jsm.streams.info(n.dlq)).state).toMatchObject({ messages: 1, first_seq: 2 });
		},
	},
	{
		label: 'Dead Letter → Create Stream',
		scenario: 'new stream',
		node: { resource: 'deadLetter', operation: 'createStream' },
		rights: (n) => [api(`STREAM.INFO.${n.dlq}`), api(`STREAM.CREATE.${n.dlq}`), api(`STREAM.UPDATE.${n.dlq}`)],
		unused: (n) => [api(`STREAM.UPDATE.${n.dlq}`)],
		params: (n) => ({ dlqStream: n.dlq, subjects: `${n.subject}.dlq.>`, maxAgeDays: 1, maxMessages: 100 }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ created: true });
			expect((await jsm.streams.info(n.dlq)).config).toMatchObject({ subjects: [`${n.subject}.dlq.>`], max_msgs: 100 });
		},
	},
	{
		label: 'Dead Letter → Create Stream',
		scenario: 'existing stream',
		node: { resource: 'deadLetter', operation: 'createStream' },
		rights: (n) => [api(`STREAM.INFO.${n.dlq}`), api(`STREAM.CREATE.${n.dlq}`), api(`STREAM.UPDATE.${n.dlq}`)],
		unused: (n) => [api(`STREAM.CREATE.${n.dlq}`)],
		setup: (n) => makeDlq(n),
		params: (n) => ({ dlqStream: n.dlq, subjects: `${n.subject}.dlq.>`, maxAgeDays: 1, maxMessages: 100 }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ created: false });
			expect((await jsm.streams.info(n.dlq)).config.max_msgs).toBe(100);
		},
	},

	// Schema
	{
		label: 'Schema → Get',
		node: { resource: 'schema', operation: 'get' },
		rights: registryRead,
		setup: async (n) => void (await (await registry(n)).register('order', orderSchema)),
		params: (n) => ({ schemaName: 'order', schemaVersion: 0, registryBucket: n.registry }),
		effect: async (out) => expect(out[0]).toMatchObject({ name: 'order', version: 1, schema: orderSchema }),
	},
	{
		label: 'Schema → Validate',
		scenario: 'registry schema',
		node: { resource: 'schema', operation: 'validate' },
		rights: registryRead,
		setup: async (n) => void (await (await registry(n)).register('order', orderSchema)),
		params: (n) => ({ schemaSource: 'registry', schemaRef: 'order', schemaBucket: n.registry }),
		items: [{ json: { id: 'o-1' } }, { json: { nope: true } }],
		effect: async (out) => expect(out.map((r) => r.valid)).toEqual([true, false]),
	},
	{
		label: 'Schema → Get Many',
		node: { resource: 'schema', operation: 'getAll' },
		rights: registryList,
		unused: (n) => [`$JS.FC.KV_${n.registry}.>`, api(`CONSUMER.DELETE.KV_${n.registry}.*`)],
		setup: async (n) => void (await (await registry(n)).register('order', orderSchema)),
		params: (n) => ({ registryBucket: n.registry }),
		effect: async (out) => expect(out).toEqual([expect.objectContaining({ name: 'order', versions: [1], latest: 1 })]),
	},
	{
		label: 'Schema → Register Version',
		scenario: 'existing registry',
		node: { resource: 'schema', operation: 'register' },
		rights: registryWrite,
		unused: (n) => [api(`STREAM.CREATE.KV_${n.registry}`), api(`STREAM.MSG.GET.KV_${n.registry}`)],
		setup: async (n) => void (await (await registry(n)).register('order', orderSchema)),
		params: (n) => ({ schemaName: 'order', schemaDocument: JSON.stringify(orderSchemaV2), registryBucket: n.registry }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ ref: 'order@2' });
			expect((await (await registry(n)).get('order')).schema).toEqual(orderSchemaV2);
		},
	},
	{
		label: 'Schema → Register Version',
		scenario: 'first use: no registry yet',
		node: { resource: 'schema', operation: 'register' },
		rights: registryWrite,
		unused: (n) => [api(`STREAM.MSG.GET.KV_${n.registry}`)],
		params: (n) => ({ schemaName: 'order', schemaDocument: JSON.stringify(orderSchema), registryBucket: n.registry }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ ref: 'order@1' });
			expect((await (await registry(n)).get('order')).schema).toEqual(orderSchema);
		},
	},
	{
		label: 'Schema → Set Compatibility',
		node: { resource: 'schema', operation: 'setCompatibility' },
		rights: registryWrite,
		unused: (n) => [api(`STREAM.CREATE.KV_${n.registry}`), api(`STREAM.MSG.GET.KV_${n.registry}`)],
		setup: async (n) => void (await (await registry(n)).register('order', orderSchema)),
		params: (n) => ({ schemaName: 'order', compatibility: 'none', registryBucket: n.registry }),
		effect: async (out, n) => {
			expect(out[0]).toMatchObject({ compatibility: 'none' });
			expect((await (await registry(n)).meta('order'))?.meta.compatibility).toBe('none');
		},
	},
	{
		label: 'Schema → Delete Version',
		scenario: 'the latest version',
		node: { resource: 'schema', operation: 'deleteVersion' },
		rights: (n) => [...registryList(n), `$KV.${n.registry}.>`],
		unused: (n) => [`$JS.FC.KV_${n.registry}.>`, api(`CONSUMER.DELETE.KV_${n.registry}.*`)],
		setup: (n) => registerTwoVersions(n),
		params: (n) => ({ schemaName: 'order', schemaVersion: 2, registryBucket: n.registry }),
		effect: async (_out, n) => {
			const left = await (await registry(n)).list();
			expect(left).toEqual([expect.objectContaining({ name: 'order', versions: [1], latest: 1 })]);
		},
	},
	{
		label: 'Schema → Delete Version',
		scenario: 'an older version',
		node: { resource: 'schema', operation: 'deleteVersion' },
		rights: (n) => [...registryList(n), `$KV.${n.registry}.>`],
		unused: (n) => watchRights(n.registry),
		setup: (n) => registerTwoVersions(n),
		params: (n) => ({ schemaName: 'order', schemaVersion: 1, registryBucket: n.registry }),
		effect: async (_out, n) => {
			const left = await (await registry(n)).list();
			expect(left).toEqual([expect.objectContaining({ name: 'order', versions: [2], latest: 2 })]);
		},
	},
	// Monitor
	{
		label: 'Monitor → Consumer Health',
		node: { resource: 'monitor', operation: 'consumerHealth' },
		// The consumer "billing" of the stream the dead letters name (see deadLetter()).
		rights: (n) => [api(`CONSUMER.INFO.${n.target}.billing`), ...dlqListRights(n)],
		unused: (n) => [api(`CONSUMER.DELETE.${n.dlq}.*`)],
		setup: async (n) => {
			await makeDlq(n);
			await jsm.consumers.add(n.target, { durable_name: 'billing', ack_policy: AckPolicy.Explicit });
			await deadLetter(n);
		},
		params: (n) => ({ stream: n.target, consumerName: 'billing', healthOptions: { deadLetterStream: n.dlq } }),
		effect: async (out, n) => expect(out[0]).toMatchObject({ stream: n.target, consumer: 'billing', status: 'failing', deadLetters: { total: 1, byReason: { 'parse-error': 1 } } }),
	},
	{
		label: 'Monitor → Trigger Statistics',
		node: { resource: 'monitor', operation: 'triggerStatistics' },
		rights: (n) => statsRead(n.bucket),
		unused: (n) => [`$JS.FC.KV_${n.bucket}.>`, api(`CONSUMER.DELETE.KV_${n.bucket}.*`)],
		setup: async (n) => {
			const bucket = await StatsBucket.open(createClient(admin, parseCredentials({ servers: server.url, authType: 'none' })), n.bucket, true);
			const figures = figuresToJson(emptyFigures());
			await bucket.write({
				stream: n.stream, consumer: n.consumer, workflowId: 'w1', workflowName: 'W', node: 'JetStream Trigger', instance: 'i1', intervalSeconds: 60, recentSeconds: 300,
				activeSince: new Date().toISOString(), updatedAt: new Date().toISOString(), up: true, pending: 3, recent: { ...figures, received: 7 }, totals: { ...figures, received: 9 },
			});
		},
		params: (n) => ({ stream: n.stream, consumerName: n.consumer, statsBucket: n.bucket }),
		effect: async (out) => expect(out[0]).toMatchObject({ triggers: 1, pending: 3, recent: { received: 7 }, totals: { received: 9 } }),
	},
];

async function registerTwoVersions(n: Names): Promise<void> {
	const reg = await registry(n);
	await reg.register('order', orderSchema);
	await reg.register('order', orderSchemaV2);
}

/** A redrive republished the dead letter to its original subject; it left the DLQ only with MSG.DELETE. */
async function expectRedriven(out: IDataObject[], n: Names, granted: string[]): Promise<void> {
	const removed = granted.includes(api(`STREAM.MSG.DELETE.${n.dlq}`));
	expect(out[0]).toMatchObject({ redriven: 1, failed: 0, outcomes: [expect.objectContaining({ status: 'redriven', removedFromDlq: removed })] });
	const copy = await jsm.streams.getMessage(n.target, { last_by_subj: originalSubject(n) });
	expect(copy?.json()).toEqual({ order: 1, reason: 'parse-error' });
	expect(await dlqMessages(n)).toBe(removed ? 0 : 1);
}

function pause(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// One user per test, made from the table

type Expect = { works: true } | { works: false; refused: string; operation: 'publish' | 'subscribe' };

interface Run {
	title: string;
	user: string;
	names: Names;
	publish: string[];
	subscribe: string[];
	expect: Expect;
}

/** The README's placeholders, for test titles. */
const README_NAMES: Names = { stream: '<s>', consumer: '<c>', bucket: '<b>', dlq: 'DLQ', registry: 'n8n_schemas', target: 'ORDERS', subject: 'orders' };

const runnable = cases.filter((c) => !c.needs || serverAtLeast(c.needs));

/** Per case: the full rights, each required entry left out, the unused entries left out, no inbox. */
const runs: Run[][] = runnable.map((c, k) => {
	const required = (n: Names) => c.rights(n).filter((e) => !(c.unused?.(n) ?? []).includes(e));
	const run = (title: string, variant: string, access: (n: Names) => Pick<Run, 'publish' | 'subscribe' | 'expect'>): Run => {
		const names = newNames();
		return { title, user: `u${k}-${variant}`, names, ...access(names) };
	};
	const works = { works: true } as const;
	const list = [run('works with exactly the README rights', 'all', (n) => ({ publish: c.rights(n), subscribe: [INBOX], expect: works }))];
	required(README_NAMES).forEach((entry, i) =>
		list.push(
			run(`fails without publish ${entry}`, `req${i}`, (n) => {
				const left = required(n)[i];
				return {
					publish: c.rights(n).filter((e) => e !== left),
					subscribe: [INBOX],
					expect: { works: false, refused: left, operation: 'publish' },
				};
			}),
		),
	);
	if ((c.unused?.(README_NAMES) ?? []).length > 0) {
		list.push(run('works without the entries this scenario does not use', 'unused', (n) => ({ publish: required(n), subscribe: [INBOX], expect: works })));
	}
	list.push(run('fails without subscribe _INBOX.>', 'inbox', (n) => ({ publish: c.rights(n), subscribe: [], expect: { works: false, refused: INBOX, operation: 'subscribe' } })));
	return list;
});

function usersConfig(): string {
	const allow = (list: string[]) => JSON.stringify(list.length > 0 ? list : ['nothing.at.all']);
	const users = runs.flat().map((r) => `{ user: "${r.user}", password: "pw", permissions: { publish: { allow: ${allow(r.publish)} }, subscribe: { allow: ${allow(r.subscribe)} } } }`);
	users.push('{ user: admin, password: admin-pw }');
	return `accounts { APP { jetstream: enabled, users: [\n${users.join(',\n')}\n] } }`;
}

/** `may not publish to "<subject>"` where the subject is one the entry allows (wildcards filled in). */
function refusal(entry: string, operation: 'publish' | 'subscribe'): RegExp {
	const token = (t: string) => (t === '*' ? '[^."]+' : t === '>' ? '[^"]+' : t.replace(/[$^.*+?()[\]{}|\\]/g, '\\$&'));
	return new RegExp(`may not ${operation} to "${entry.split('.').map(token).join('\\.')}"`);
}

const escapeRegExp = (text: string) => text.replace(/[$^.*+?()[\]{}|\\]/g, '\\$&');

/** What the case's setup made (through the admin connection): its failure is the test's, not the node's. */
async function prepare(c: Case, r: Run): Promise<Record<string, unknown>> {
	return (await withServerLog(server, Promise.resolve(c.setup?.(r.names)))) ?? {};
}

async function runNode(c: Case, r: Run, found: Record<string, unknown>): Promise<IDataObject[]> {
	const { context } = fakeExecute({
		params: { ...c.node, ...c.params(r.names), ...found },
		items: c.items ?? [{ json: {} }],
		credentials: { servers: server.url, authType: 'userPassword', user: r.user, password: 'pw', connectionName: r.user },
	});
	const [out] = await new JetStream().execute.call(context);
	return out.map((item) => item.json);
}

beforeAll(async () => {
	server = await startNatsServer({ label: 'jetstream-node-permissions', config: usersConfig() });
	admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-pw' });
	jsm = await jetstreamManager(admin);
	await keepAccountStore(jsm);
}, 30_000);

afterEach(async () => {
	await Promise.all(undo.splice(0).map((u) => u()));
	await connectionPool.closeAll();
	await deleteTestStreams(jsm);
});

afterAll(async () => {
	await admin?.close();
	await server?.cleanup();
});

/** A refused right must fail the operation at once, not after a timeout or retries. */
const AT_ONCE_MS = 3_000;

const shown = (out: IDataObject[]) => `succeeded: ${JSON.stringify(out).slice(0, 300)}`;

async function check(c: Case, r: Run): Promise<void> {
	const found = await prepare(c, r);
	const started = Date.now();
	const outcome = await runNode(c, r, found).then(
		(out) => ({ out, error: undefined }),
		(error: Error) => ({ out: undefined, error }),
	);
	if (r.expect.works) {
		if (outcome.error) throw outcome.error;
		await c.effect(outcome.out, r.names, r.publish);
		return;
	}
	const message = outcome.error?.message ?? shown(outcome.out ?? []);
	expect(message).toMatch(new RegExp(`^Permission denied: the ${escapeRegExp(c.label)} operation needs to `));
	expect(message).toMatch(refusal(r.expect.refused, r.expect.operation));
	expect(Date.now() - started).toBeLessThan(AT_ONCE_MS);
}

describe.each(runnable.map((c, k) => [c.scenario ? `${c.label} (${c.scenario})` : c.label, c, runs[k]] as const))('%s', (_title, c, caseRuns) => {
	for (const r of caseRuns) it(r.title, () => check(c, r), 15_000);
});
