import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { NatsRequestTrigger } from '../../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';
import { SchemaRegistry } from '../../../nodes/shared/schema';
import { connectionPool, createClient, parseCredentials } from '../../../nodes/shared/transport';
import { testCredentials } from '../../../nodes/shared/transport/credentialTest';
import { fakeExecute } from '../../helpers/fakeExecute';
import { eventually, fakeTrigger, withStraightQuotes, type FakeTrigger } from '../../helpers/fakeTrigger';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';

/**
 * The README's Permissions section, proven: for each way of using the package, a NATS user with
 * exactly the listed rights does the job, and the same rights minus any one required subject fail at
 * once with an error that names the subject, the feature that needs it and the stream or consumer.
 * The sets below are the README's blocks with this file's stream (LP) and consumers.
 */

const STREAM = 'LP';
const DLQ = 'LP_DLQ';
const BUCKET = 'lp_keys';
const REGISTRY = 'lp_schemas';

interface RightsSet {
	publish: string[];
	subscribe: string[];
	/** Entries each of which must be missed: a user without it fails, naming `subject` (a pattern of what the server refuses). */
	required: Array<{ entry: string; refused: RegExp; words: RegExp }>;
}

const api = (rest: string) => `$JS.API.${rest}`;
const inbox = { entry: '_INBOX.>', refused: /_INBOX\./, words: /receive replies/ };

/** Trigger rights for consumer `c`, bound to a durable an admin made (dead letters off). */
function bindRights(c: string): RightsSet {
	return {
		publish: [api(`CONSUMER.INFO.${STREAM}.${c}`), api(`CONSUMER.MSG.NEXT.${STREAM}.${c}`), `$JS.ACK.${STREAM}.${c}.>`],
		subscribe: ['_INBOX.>'],
		required: [
			{ entry: api(`CONSUMER.INFO.${STREAM}.${c}`), refused: /\$JS\.API\.CONSUMER\.INFO\.LP\./, words: new RegExp(`the JetStream Trigger needs to read consumer "${c}" of stream "LP"`) },
			{ entry: api(`CONSUMER.MSG.NEXT.${STREAM}.${c}`), refused: /\$JS\.API\.CONSUMER\.MSG\.NEXT\.LP\./, words: new RegExp(`the JetStream Trigger needs to pull messages from consumer "${c}" of stream "LP"`) },
			{ entry: `$JS.ACK.${STREAM}.${c}.>`, refused: /\$JS\.ACK\.LP\./, words: new RegExp(`the JetStream Trigger needs to acknowledge messages of consumer "${c}" of stream "LP"`) },
			inbox,
		],
	};
}

/** A trigger that creates its consumer (filter lp.<c>.>, so the create subject carries the filter). */
function createRights(c: string): RightsSet {
	const bind = bindRights(c);
	const create = api(`CONSUMER.CREATE.${STREAM}.${c}.>`);
	return {
		publish: [...bind.publish, api(`CONSUMER.CREATE.${STREAM}.${c}`), create],
		subscribe: bind.subscribe,
		required: [...bind.required, { entry: create, refused: /\$JS\.API\.CONSUMER\.CREATE\.LP\./, words: new RegExp(`the JetStream Trigger needs to create or update consumer "${c}" on stream "LP"`) }],
	};
}

function withDeadLetters(set: RightsSet, c: string): RightsSet {
	const subject = `dlq.${STREAM}.${c}`;
	return {
		publish: [...set.publish, api(`STREAM.INFO.${DLQ}`), subject],
		subscribe: set.subscribe,
		required: [
			...set.required,
			{ entry: api(`STREAM.INFO.${DLQ}`), refused: /\$JS\.API\.STREAM\.INFO\.LP_DLQ/, words: /the Dead-Letter Queue option needs to read stream "LP_DLQ"/ },
			{ entry: subject, refused: new RegExp(`dlq\\.LP\\.${c}`), words: new RegExp(`the Dead-Letter Queue option needs to publish to "dlq\\.LP\\.${c}"`) },
		],
	};
}

function withSkipDuplicates(set: RightsSet): RightsSet {
	return {
		publish: [...set.publish, api(`STREAM.INFO.KV_${BUCKET}`), `$KV.${BUCKET}.>`, api(`DIRECT.GET.KV_${BUCKET}.>`), api(`STREAM.MSG.GET.KV_${BUCKET}`)],
		subscribe: set.subscribe,
		required: [
			...set.required,
			{ entry: api(`STREAM.INFO.KV_${BUCKET}`), refused: /\$JS\.API\.STREAM\.INFO\.KV_lp_keys/, words: /the Skip Duplicates option needs to read key-value bucket "lp_keys"/ },
			{ entry: `$KV.${BUCKET}.>`, refused: /\$KV\.lp_keys\./, words: /the Skip Duplicates option needs to write to key-value bucket "lp_keys"/ },
		],
	};
}

function withRegistrySchema(set: RightsSet): RightsSet {
	return {
		publish: [...set.publish, api(`STREAM.INFO.KV_${REGISTRY}`), api(`STREAM.MSG.GET.KV_${REGISTRY}`)],
		subscribe: set.subscribe,
		required: [
			...set.required,
			{ entry: api(`STREAM.INFO.KV_${REGISTRY}`), refused: /\$JS\.API\.STREAM\.INFO\.KV_lp_schemas/, words: /schema validation from the registry needs to read key-value bucket "lp_schemas"/ },
			{ entry: api(`STREAM.MSG.GET.KV_${REGISTRY}`), refused: /\$JS\.API\.STREAM\.MSG\.GET\.KV_lp_schemas/, words: /schema validation from the registry needs to read messages of key-value bucket "lp_schemas"/ },
		],
	};
}

const publishRights: RightsSet = {
	publish: ['lp.published.>'],
	subscribe: ['_INBOX.>'],
	required: [{ entry: 'lp.published.>', refused: /lp\.published\.x/, words: /the Message → Publish operation needs to publish to "lp\.published\.x"/ }, inbox],
};

const serveRights: RightsSet = {
	publish: [],
	subscribe: ['svc.lp n8n'],
	required: [{ entry: 'svc.lp n8n', refused: /svc\.lp/, words: /the NATS Request Trigger needs to subscribe to "svc\.lp"/ }],
};

const replyRights: RightsSet = {
	publish: ['_INBOX.>'],
	subscribe: [],
	required: [{ entry: '_INBOX.>', refused: /_INBOX\./, words: /the Message → Reply operation needs to answer a request/ }],
};

const sets: Record<string, RightsSet> = {
	bind: bindRights('bind'),
	create: createRights('create'),
	deadLetters: withDeadLetters(createRights('dead'), 'dead'),
	skipDuplicates: withSkipDuplicates(createRights('dupes')),
	schema: withRegistrySchema(createRights('schema')),
	publish: publishRights,
	serve: serveRights,
	reply: replyRights,
};

/** Users "<set>" with the whole set and "<set>-<i>" without required entry i. */
function usersConfig(): string {
	const users: string[] = [];
	const block = (name: string, publish: string[], subscribe: string[]) =>
		`{ user: "${name}", password: "pw-${name}", permissions: { publish: { allow: ${JSON.stringify(publish.length ? publish : ['nothing.at.all'])} }, subscribe: { allow: ${JSON.stringify(subscribe.length ? subscribe : ['nothing.at.all'])} } } }`;
	for (const [name, set] of Object.entries(sets)) {
		users.push(block(name, set.publish, set.subscribe));
		set.required.forEach(({ entry }, i) =>
			users.push(block(`${name}-${i}`, set.publish.filter((s) => s !== entry), set.subscribe.filter((s) => s !== entry))),
		);
	}
	users.push('{ user: admin, password: admin-pw }');
	return `accounts { APP { jetstream: enabled, users: [\n${users.join(',\n')}\n] } }`;
}

let server: NatsServer;
let admin: NatsConnection;
let jsm: JetStreamManager;
const open: ITriggerResponse[] = [];

const credentialsOf = (user: string) => ({ servers: server.url, authType: 'userPassword', user, password: `pw-${user}`, connectionName: `lp-${user}` });

beforeAll(async () => {
	server = await startNatsServer({ label: 'least-privilege', config: usersConfig() });
	admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-pw' });
	jsm = await jetstreamManager(admin);
	await jsm.streams.add({ name: STREAM, subjects: ['lp.>'] });
	await jsm.streams.add({ name: DLQ, subjects: [`dlq.${STREAM}.>`] });
	await jsm.consumers.add(STREAM, { durable_name: 'bind', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: 'lp.bind.>', ack_wait: 5_000_000_000 });
	await new Kvm(admin).create(BUCKET);
	const registry = await SchemaRegistry.open(createClient(admin, parseCredentials({ servers: server.url, authType: 'none' })), REGISTRY, true);
	await registry.register('order', { type: 'object', required: ['n'] });
}, 30_000);

afterEach(async () => {
	await Promise.all(open.splice(0).map((r) => r.closeFunction?.()));
	await connectionPool.closeAll();
});

afterAll(async () => {
	await admin?.close();
	await server?.cleanup();
});

/** Trigger parameters of each trigger set: its consumer filters lp.<consumer>.> so the sets do not share messages. */
function triggerParams(set: string, consumer: string): Record<string, unknown> {
	const base = {
		stream: STREAM,
		consumerMode: set === 'bind' ? 'bind' : 'createOrUpdate',
		durableName: consumer,
		filterSubjects: `lp.${consumer}.>`,
		deliverPolicy: 'all',
		ackWaitSeconds: 5,
		maxDeliver: 5,
		backoff: '',
		maxAckPending: 1000,
		ackMode: 'executionSucceeds',
		deadLetter: set === 'deadLetters',
		deadLetterOptions: { deadLetterStream: DLQ, createDeadLetterStream: false },
		// JSON only: the dead-letter set's "not json {" message is poison and goes to the dead-letter stream.
		options: { retryDelay: 0.2, closeTimeout: 2, content: 'json' },
	};
	if (set === 'skipDuplicates') return { ...base, idempotency: 'messageId', idempotencyOptions: { idempotencyBucket: BUCKET } };
	if (set === 'schema') return { ...base, schemaSource: 'registry', schemaRef: 'order', schemaBucket: REGISTRY };
	return base;
}

const triggerSets: Array<[string, string]> = [
	['bind', 'bind'],
	['create', 'create'],
	['deadLetters', 'dead'],
	['skipDuplicates', 'dupes'],
	['schema', 'schema'],
];

/** Activates the trigger as `user`; the activation error, or the trigger's fake. */
async function activate(set: string, consumer: string, user: string): Promise<{ fake: FakeTrigger; error?: Error }> {
	const fake = fakeTrigger({ params: triggerParams(set, consumer), credentials: credentialsOf(user) });
	try {
		open.push(await new JetStreamTrigger().trigger.call(fake.context));
		return { fake };
	} catch (error) {
		return { fake, error: error as Error };
	}
}

async function publishTo(consumer: string, count: number, extra: Record<string, unknown> = {}): Promise<void> {
	const js = jetstream(admin);
	for (let n = 0; n < count; n++) await js.publish(`lp.${consumer}.order`, JSON.stringify({ n, ...extra }), { msgID: `${consumer}-${Date.now()}-${n}` });
}

async function acknowledged(consumer: string): Promise<number> {
	return (await jsm.consumers.info(STREAM, consumer)).ack_floor.stream_seq;
}

describe('least privilege: each feature works with exactly its README rights', () => {
	it.each(triggerSets)('trigger set "%s"', async (set, consumer) => {
		const before = (await jsm.streams.info(STREAM)).state.last_seq;
		await publishTo(consumer, 3);
		if (set === 'deadLetters') await jetstream(admin).publish(`lp.${consumer}.order`, 'not json {');
		const { fake, error } = await activate(set, consumer, set);
		expect(error).toBeUndefined();
		const good = 3;
		await eventually(() => fake.emissions.length === good, 10_000, `${good} executions`);
		const last = (await jsm.streams.info(STREAM)).state.last_seq;
		await eventually(async () => (await jsm.consumers.info(STREAM, consumer)).num_ack_pending === 0 && (await acknowledged(consumer)) > before, 10_000, 'all answered');
		expect(last).toBeGreaterThan(before);
		expect(fake.emittedErrors).toEqual([]);
		if (set === 'deadLetters') await eventually(async () => (await jsm.streams.info(DLQ)).state.messages >= 1, 10_000, 'the poison message dead-lettered');
	}, 30_000);

	it('publish set: the JetStream node stores the message', async () => {
		const { context } = fakeExecute({ params: { resource: 'message', operation: 'publish', subject: 'lp.published.x' }, items: [{ json: { a: 1 } }], credentials: credentialsOf('publish') });
		const [out] = await new JetStream().execute.call(context);
		expect(out[0].json).toMatchObject({ stream: STREAM });
	});

	it('serve + reply sets: a request trigger answers through the Reply operation', async () => {
		const fake = fakeTrigger({ params: { subject: 'svc.lp', queueGroup: 'n8n', replyWith: 'replyNode' }, credentials: credentialsOf('serve') });
		open.push(await new NatsRequestTrigger().trigger.call(fake.context));
		const answer = admin.request('svc.lp', JSON.stringify({ q: 1 }), { timeout: 5_000 });
		await eventually(() => fake.emissions.length === 1, 5_000, 'the request ran');
		const replyTo = String(fake.items()[0].json.replyTo);
		const { context } = fakeExecute({ params: { resource: 'message', operation: 'reply', replyTo, payloadSource: 'text', payloadText: 'ok' }, items: [{ json: {} }], credentials: credentialsOf('reply') });
		await new JetStream().execute.call(context);
		expect((await answer).string()).toBe('ok');
	});

	it('the credential test passes for a user that may not read the account info, and says so', async () => {
		const outcome = await testCredentials(credentialsOf('bind'));
		expect(outcome.ok).toBe(true);
		expect(outcome.message).toMatch(/may not read the account's JetStream information, which the nodes do not need/);
	});
});

describe('least privilege: one right less fails at once and names the subject, the feature and the stream or consumer', () => {
	const cases = triggerSets.flatMap(([set, consumer]) => sets[set].required.map((right, i) => [set, consumer, i, right.entry] as const));

	it.each(cases)('trigger set "%s" (consumer %s) without right %i: %s', async (set, consumer, i) => {
		const right = sets[set].required[i];
		await publishTo(consumer, 2);
		if (set === 'deadLetters') await jetstream(admin).publish(`lp.${consumer}.order`, 'not json {');
		const started = Date.now();
		const { fake, error } = await activate(set, consumer, `${set}-${i}`);
		let failure = error;
		if (!failure) {
			await eventually(() => fake.emittedErrors.length > 0, 10_000, 'the trigger stopped with an error');
			failure = fake.emittedErrors[0];
		}
		const message = withStraightQuotes(failure);
		expect(message).toMatch(/^Permission denied: /);
		expect(message).toMatch(right.refused);
		expect(message).toMatch(right.words);
		expect(message).not.toContain(`pw-${set}`);
		// At once: no retry loop (a refused right is not an outage).
		expect(Date.now() - started).toBeLessThan(10_000);
	}, 30_000);

	it.each(publishRights.required.map((r, i) => [i, r.entry] as const))('publish set without right %i: %s', async (i) => {
		const right = publishRights.required[i];
		const { context } = fakeExecute({ params: { resource: 'message', operation: 'publish', subject: 'lp.published.x' }, items: [{ json: { a: 1 } }], credentials: credentialsOf(`publish-${i}`) });
		const failure = await new JetStream().execute.call(context).then(() => new Error('published without the right'), (e: Error) => e);
		expect(failure.message).toMatch(right.refused);
		expect(failure.message).toMatch(right.words);
	});

	it('serve set without its subscription: the request trigger fails activation naming the subject', async () => {
		const fake = fakeTrigger({ params: { subject: 'svc.lp', queueGroup: 'n8n', replyWith: 'replyNode' }, credentials: credentialsOf('serve-0') });
		const failure = await new NatsRequestTrigger().trigger.call(fake.context).then(
			(r) => {
				open.push(r);
				return new Error('activated without the right');
			},
			(e: Error) => e,
		);
		expect(withStraightQuotes(failure)).toMatch(serveRights.required[0].refused);
		expect(withStraightQuotes(failure)).toMatch(serveRights.required[0].words);
	});

	it('reply set without publish on _INBOX.>: the Reply operation fails instead of reporting success', async () => {
		const sub = admin.subscribe('svc.lp.direct', { max: 1 });
		const waiting = admin.request('svc.lp.direct', 'q', { timeout: 3_000 }).catch((e: Error) => e);
		let replyTo = '';
		for await (const m of sub) replyTo = m.reply ?? '';
		expect(replyTo).toMatch(/^_INBOX\./);
		const { context } = fakeExecute({ params: { resource: 'message', operation: 'reply', replyTo, payloadSource: 'text', payloadText: 'ok' }, items: [{ json: {} }], credentials: credentialsOf('reply-0') });
		const failure = await new JetStream().execute.call(context).then(() => new Error('replied without the right'), (e: Error) => e);
		expect(failure.message).toMatch(replyRights.required[0].refused);
		expect(failure.message).toMatch(replyRights.required[0].words);
		expect(await waiting).toBeInstanceOf(Error);
	});
});
