import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { triggerSettled } from '../../../nodes/JetStreamTrigger/consumer/startTrigger';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute } from '../../helpers/fakeExecute';
import { eventually, fakeTrigger, withStraightQuotes, type FakeTrigger, type Script } from '../../helpers/fakeTrigger';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';

/**
 * The README's Permissions sets of the JetStream Trigger that leastPrivilege.test.ts leaves out, proven
 * against a real nats-server: set 3 with *Dead-Letter Stream* empty, set 6 (Acknowledge: Later in the
 * Workflow), set 7 (max-deliveries advisories) and set 8 (test runs). Each user has exactly the README's
 * rights for this file's stream (TX) and one consumer; "<user>-<i>" lacks the set's entry i.
 */

const STREAM = 'TX';
/** The trigger's shared dead-letter stream when *Dead-Letter Stream* is empty (DEFAULT_DLQ_STREAM). */
const DLQ = 'DLQ';
/** A named dead-letter stream for the set-7 tests; its subjects never match the set-3 subjects. */
const NAMED_DLQ = 'TXDEAD';

const api = (rest: string) => `$JS.API.${rest}`;
const ack = (c: string) => `$JS.ACK.${STREAM}.${c}.>`;
const advisory = (c: string) => `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${STREAM}.${c}`;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Rights {
	publish: string[];
	subscribe: string[];
}

/** One entry of a rights set, and what a user without it sees. */
interface Entry {
	list: keyof Rights;
	entry: string;
	/** The refused subject, as the error names it. */
	refused: RegExp;
	/** What the error says needs the right. */
	words: RegExp;
}

const merge = (...sets: Rights[]): Rights => ({
	publish: [...new Set(sets.flatMap((s) => s.publish))],
	subscribe: [...new Set(sets.flatMap((s) => s.subscribe))],
});

/** README set 1, consumer `c`. */
const set1 = (c: string): Rights => ({
	publish: [api(`CONSUMER.INFO.${STREAM}.${c}`), api(`CONSUMER.MSG.NEXT.${STREAM}.${c}`), ack(c)],
	subscribe: ['_INBOX.>'],
});

/** README set 2, consumer `c` with one filter subject (so no DURABLE.CREATE entry). */
const set2 = (c: string): Rights => ({
	publish: [
		api(`CONSUMER.INFO.${STREAM}.${c}`),
		api(`CONSUMER.CREATE.${STREAM}.${c}`),
		api(`CONSUMER.CREATE.${STREAM}.${c}.>`),
		api(`CONSUMER.MSG.NEXT.${STREAM}.${c}`),
		ack(c),
	],
	subscribe: ['_INBOX.>'],
});

/** README set 3, *Dead-Letter Stream* empty, dead-letter subject `subject`. */
const set3Lookup = (subject: string): Rights => ({
	publish: [api('STREAM.NAMES'), subject, api(`STREAM.INFO.${DLQ}`), api(`STREAM.CREATE.${DLQ}`), api(`STREAM.UPDATE.${DLQ}`)],
	subscribe: [],
});

/** README set 3, *Dead-Letter Stream* set (here TXDEAD, made by the admin: no CREATE entry). */
const set3Named = (subject: string): Rights => ({ publish: [api(`STREAM.INFO.${NAMED_DLQ}`), subject], subscribe: [] });

/** README set 4, bucket `b`. */
const set4 = (b: string): Rights => ({
	publish: [api(`STREAM.INFO.KV_${b}`), api(`STREAM.CREATE.KV_${b}`), `$KV.${b}.>`, api(`DIRECT.GET.KV_${b}.>`), api(`STREAM.MSG.GET.KV_${b}`)],
	subscribe: [],
});

/** README set 6, the trigger's part. */
const set6 = (c: string): Rights => ({ publish: [], subscribe: [ack(c)] });

/** README set 6 / table 9, the JetStream node's Message → Acknowledge. */
const acknowledgeRights = (c: string): Rights => ({ publish: [ack(c)], subscribe: ['_INBOX.>'] });

/** README set 7. */
const set7 = (c: string): Rights => ({ publish: [api(`STREAM.MSG.GET.${STREAM}`)], subscribe: [advisory(c)] });

/** README set 8, as written. */
const set8: Rights = {
	publish: [api(`CONSUMER.CREATE.${STREAM}`), api(`CONSUMER.MSG.NEXT.${STREAM}.*`), api(`CONSUMER.INFO.${STREAM}.*`), api(`CONSUMER.DELETE.${STREAM}.*`)],
	subscribe: ['_INBOX.>'],
};

const users = new Map<string, Rights>();

/** Registers user `name` with `rights`, and "<name>-<i>" without `drop[i]` (from its list only). */
function define(name: string, rights: Rights, drop: Array<Pick<Entry, 'list' | 'entry'>> = []): string {
	users.set(name, rights);
	drop.forEach(({ list, entry }, i) => {
		const less = { ...rights, [list]: rights[list].filter((s) => s !== entry) };
		if (less[list].length === rights[list].length) throw new Error(`${name}: "${entry}" is not in its ${list} list`);
		users.set(`${name}-${i}`, less);
	});
	return name;
}

function usersConfig(): string {
	const allow = (list: string[]) => JSON.stringify(list.length ? list : ['nothing.at.all']);
	const blocks = [...users].map(
		([name, r]) => `{ user: "${name}", password: "pw-${name}", permissions: { publish: { allow: ${allow(r.publish)} }, subscribe: { allow: ${allow(r.subscribe)} } } }`,
	);
	blocks.push('{ user: admin, password: admin-pw }');
	return `accounts { APP { jetstream: enabled, users: [\n${blocks.join(',\n')}\n] } }`;
}

// ---- Set 3, Dead-Letter Stream empty -------------------------------------------------------------

const DL_FEATURE = /the Dead-Letter Queue option needs to /;
const dlEntries = (subject: string): Record<'names' | 'subject' | 'info' | 'create' | 'update', Entry> => ({
	names: { list: 'publish', entry: api('STREAM.NAMES'), refused: /"\$JS\.API\.STREAM\.NAMES"/, words: /look up which stream stores a subject/ },
	subject: { list: 'publish', entry: subject, refused: new RegExp(`"${escape(subject)}"`), words: new RegExp(`publish to "${escape(subject)}"`) },
	info: { list: 'publish', entry: api(`STREAM.INFO.${DLQ}`), refused: /"\$JS\.API\.STREAM\.INFO\.DLQ"/, words: /read stream "DLQ"/ },
	create: { list: 'publish', entry: api(`STREAM.CREATE.${DLQ}`), refused: /"\$JS\.API\.STREAM\.CREATE\.DLQ"/, words: /create stream "DLQ"/ },
	update: { list: 'publish', entry: api(`STREAM.UPDATE.${DLQ}`), refused: /"\$JS\.API\.STREAM\.UPDATE\.DLQ"/, words: /update stream "DLQ"/ },
});

/**
 * The set-3 situations. `required`: entries whose absence fails; `unused`: entries of the README block
 * this situation does not need (the user without one still dead-letters).
 */
interface DeadLetterCase {
	consumer: string;
	/** Custom *Dead-Letter Subject*; undefined = the default dlq.TX.<consumer>. */
	customSubject?: string;
	/** The DLQ stream the admin made beforehand (undefined: none). */
	existing?: { subjects: string[] };
	required: Array<keyof ReturnType<typeof dlEntries>>;
	unused: Array<keyof ReturnType<typeof dlEntries>>;
}

const dlCases: Record<string, DeadLetterCase> = {
	// No stream stores the subject and no DLQ exists: the trigger creates DLQ.
	create: { consumer: 'dnew', required: ['names', 'info', 'create', 'subject'], unused: ['update'] },
	// DLQ exists without the custom subject: the trigger adds it.
	update: { consumer: 'dupd', customSubject: 'poison.TX.dupd', existing: { subjects: ['dlq.>'] }, required: ['names', 'info', 'update', 'subject'], unused: ['create'] },
	// DLQ already stores the subject: only the lookup and the publish are used.
	existing: { consumer: 'dhave', existing: { subjects: ['dlq.>'] }, required: ['names', 'subject'], unused: ['info', 'create', 'update'] },
	// No DLQ, custom subject: the trigger creates DLQ for it.
	createCustom: { consumer: 'dcust', customSubject: 'poison.TX.dcust', required: [], unused: [] },
};

const dlSubject = (c: DeadLetterCase) => c.customSubject ?? `dlq.${STREAM}.${c.consumer}`;
const dlUser = (c: DeadLetterCase) => `${c.consumer}-user`;
for (const c of Object.values(dlCases)) {
	const entries = dlEntries(dlSubject(c));
	define(dlUser(c), merge(set2(c.consumer), set3Lookup(dlSubject(c))), [...c.required, ...c.unused].map((k) => entries[k]));
}

// ---- Set 6, Acknowledge: Later in the Workflow ---------------------------------------------------

const bucketOf = (c: string) => `tx_keys_${c}`;
const laterUser = (c: string) => define(`${c}-trigger`, merge(set2(c), set4(bucketOf(c)), set6(c)), [{ list: 'subscribe', entry: ack(c) }]);
const ackerUser = (c: string) =>
	define(`${c}-acker`, acknowledgeRights(c), [
		{ list: 'publish', entry: ack(c) },
		{ list: 'subscribe', entry: '_INBOX.>' },
	]);
const LATER = { full: 'lat1', blind: 'lat2', noPublish: 'lat3', noInbox: 'lat4' };
for (const c of Object.values(LATER)) {
	laterUser(c);
	ackerUser(c);
}

// ---- Set 7, advisories ---------------------------------------------------------------------------

const namedSubject = (c: string) => `txdead.${c}`;
const ADV = { full: 'adv1', noSubscribe: 'adv2', noRead: 'adv3' };
for (const c of Object.values(ADV)) {
	define(`${c}-trigger`, merge(set1(c), set3Named(namedSubject(c)), set7(c)), [
		{ list: 'subscribe', entry: advisory(c) },
		{ list: 'publish', entry: api(`STREAM.MSG.GET.${STREAM}`) },
	]);
}

// ---- Set 8, test runs ----------------------------------------------------------------------------

const TEST_RUN = { create: 't8c', bind: 't8b' };
const set8Entries: Record<'create' | 'next' | 'info' | 'delete' | 'inbox', Entry> = {
	create: { list: 'publish', entry: api(`CONSUMER.CREATE.${STREAM}`), refused: /"\$JS\.API\.CONSUMER\.CREATE\.TX[".]/, words: /the JetStream Trigger needs to create a temporary consumer on stream "TX"/ },
	next: { list: 'publish', entry: api(`CONSUMER.MSG.NEXT.${STREAM}.*`), refused: /"\$JS\.API\.CONSUMER\.MSG\.NEXT\.TX\.[^"]+"/, words: /needs to pull messages from consumer "[^"]+" of stream "TX"/ },
	info: { list: 'publish', entry: api(`CONSUMER.INFO.${STREAM}.*`), refused: /"\$JS\.API\.CONSUMER\.INFO\.TX\./, words: /read consumer/ },
	delete: { list: 'publish', entry: api(`CONSUMER.DELETE.${STREAM}.*`), refused: /"\$JS\.API\.CONSUMER\.DELETE\.TX\./, words: /delete consumer/ },
	inbox: { list: 'subscribe', entry: '_INBOX.>', refused: /_INBOX\./, words: /receive replies/ },
};
const set8Drop = (['create', 'next', 'info', 'delete', 'inbox'] as const).map((k) => set8Entries[k]);
define('t8c', merge(set2(TEST_RUN.create), set8), set8Drop);
define('t8b', merge(set1(TEST_RUN.bind), set8), set8Drop);
/** Bind mode reads the durable: without both set 1's INFO entry and set 8's INFO.TX.* the test run cannot. */
users.set('t8b-noinfo', {
	...merge(set1(TEST_RUN.bind), set8),
	publish: merge(set1(TEST_RUN.bind), set8).publish.filter((s) => !s.startsWith(api(`CONSUMER.INFO.${STREAM}.`))),
});

/** README: the statistics bucket (optional), bucket `b`. */
const STATS = 'TXSTATS';
const statsSet = (b: string): Rights => ({ publish: [api(`STREAM.INFO.KV_${b}`), api(`STREAM.CREATE.KV_${b}`), `$KV.${b}.>`], subscribe: [] });
const statsEntries: Entry[] = [
	{ list: 'publish', entry: api(`STREAM.INFO.KV_${STATS}`), refused: /"\$JS\.API\.STREAM\.INFO\.KV_TXSTATS"/, words: /the trigger's statistics/ },
	{ list: 'publish', entry: api(`STREAM.CREATE.KV_${STATS}`), refused: /"\$JS\.API\.STREAM\.CREATE\.KV_TXSTATS"/, words: /the trigger's statistics/ },
	{ list: 'publish', entry: `$KV.${STATS}.>`, refused: /"\$KV\.TXSTATS\.[^"]+"/, words: /the trigger's statistics/ },
];
define('stats', merge(set2('st1'), statsSet(STATS)), statsEntries);

// ---- Server, connections, clean-up ---------------------------------------------------------------

let server: NatsServer;
let admin: NatsConnection;
let jsm: JetStreamManager;
const open: ITriggerResponse[] = [];

const credentialsOf = (user: string) => ({ servers: server.url, authType: 'userPassword', user, password: `pw-${user}`, connectionName: `tx-${user}` });

beforeAll(async () => {
	server = await startNatsServer({ label: 'trigger-extras', config: usersConfig() });
	admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-pw' });
	jsm = await jetstreamManager(admin);
	await jsm.streams.add({ name: STREAM, subjects: ['tx.>'] });
	await jsm.streams.add({ name: NAMED_DLQ, subjects: ['txdead.>'] });
}, 30_000);

const SETTLE_MS = 10_000;

/**
 * Closes every trigger of the test and waits until each answered what it held and closed its
 * connection; one that does not settle in time fails the test instead of hanging the hook.
 */
async function closeTriggers(): Promise<void> {
	const closing = open.splice(0);
	await Promise.all(closing.map((r) => r.closeFunction?.()));
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`A closed trigger did not settle within ${SETTLE_MS} ms`)), SETTLE_MS);
	});
	try {
		await Promise.race([Promise.all(closing.map((r) => triggerSettled.get(r))), late]);
	} finally {
		clearTimeout(timer);
	}
}

afterEach(async () => {
	await closeTriggers();
	await connectionPool.closeAll();
	await jsm.streams.delete(DLQ).catch(() => false);
});

afterAll(async () => {
	await closeTriggers();
	await connectionPool.closeAll();
	await admin?.close();
	await server?.cleanup();
});

/** Trigger parameters: consumer `c` filters tx.<c>.> so the tests never share messages. */
function params(c: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return {
		stream: STREAM,
		consumerMode: 'createOrUpdate',
		durableName: c,
		filterSubjects: `tx.${c}.>`,
		deliverPolicy: 'all',
		ackWaitSeconds: 5,
		maxDeliver: 5,
		backoff: '',
		maxAckPending: 1000,
		ackMode: 'executionSucceeds',
		deadLetter: false,
		// JSON only: "not json {" is poison and goes straight to the dead-letter stream.
		options: { retryDelay: 0.2, closeTimeout: 2, content: 'json' },
		...extra,
	};
}

interface Activation {
	fake: FakeTrigger;
	response?: ITriggerResponse;
	error?: Error;
}

async function activate(user: string, triggerParams: Record<string, unknown>, extra: { mode?: 'trigger' | 'manual'; script?: Script } = {}): Promise<Activation> {
	const fake = fakeTrigger({ params: triggerParams, credentials: credentialsOf(user), ...extra });
	try {
		const response = await new JetStreamTrigger().trigger.call(fake.context);
		open.push(response);
		return { fake, response };
	} catch (error) {
		return { fake, error: error as Error };
	}
}

/** The activation error, or else the first error the running trigger reported. */
async function failureOf({ fake, error }: Activation, what: string): Promise<Error> {
	if (error) return error;
	await eventually(() => fake.emittedErrors.length > 0, 10_000, what);
	return fake.emittedErrors[0];
}

function expectRefusal(failure: Error, entry: Entry, feature?: RegExp): void {
	const message = withStraightQuotes(failure);
	expect(message).toMatch(/^Permission denied: /);
	expect(message).toMatch(entry.refused);
	expect(message).toMatch(entry.words);
	if (feature) expect(message).toMatch(feature);
}

const js = () => jetstream(admin);
const publishTo = async (c: string, body: unknown) => {
	await js().publish(`tx.${c}.order`, typeof body === 'string' ? body : JSON.stringify(body));
};
const lastSeq = async () => (await jsm.streams.info(STREAM)).state.last_seq;
const ackFloor = async (c: string) => (await jsm.consumers.info(STREAM, c)).ack_floor.stream_seq;
const streamExists = async (name: string) => await jsm.streams.info(name).then(() => true, () => false);
const warnings = (fake: FakeTrigger, pattern: RegExp) => fake.logs.filter((l) => l.level === 'warn' && pattern.test(l.message));

// ---- Tests ---------------------------------------------------------------------------------------

describe('set 3, Dead-Letter Stream empty: the stream is found by subject ($JS.API.STREAM.NAMES)', () => {
	const DAY_NS = 86_400_000_000_000;

	async function prepare(c: DeadLetterCase): Promise<void> {
		if (c.existing) await jsm.streams.add({ name: DLQ, subjects: c.existing.subjects, max_age: 3_600_000_000_000 });
		await publishTo(c.consumer, { good: 1 });
		await publishTo(c.consumer, 'not json {');
	}

	// Each test starts without the durable and without its messages.
	afterEach(async () => {
		await closeTriggers();
		for (const c of Object.values(dlCases)) {
			await jsm.consumers.delete(STREAM, c.consumer).catch(() => false);
			await jsm.streams.purge(STREAM, { filter: `tx.${c.consumer}.>` });
		}
	});

	const dlParams = (c: DeadLetterCase) =>
		params(c.consumer, {
			deadLetter: true,
			deadLetterOptions: { deadLetterStream: '', createDeadLetterStream: true, ...(c.customSubject ? { deadLetterSubject: c.customSubject } : {}) },
		});

	/** Runs the trigger as `user` until the good message ran and the poison one is in DLQ. */
	async function deadLetters(c: DeadLetterCase, user: string): Promise<FakeTrigger> {
		await prepare(c);
		const { fake, error } = await activate(user, dlParams(c));
		expect(error).toBeUndefined();
		await eventually(() => fake.emissions.length === 1, 10_000, 'the good message ran');
		await eventually(async () => (await streamExists(DLQ)) && (await jsm.streams.info(DLQ)).state.messages === 1, 10_000, 'the poison message dead-lettered');
		const copy = await jsm.streams.getMessage(DLQ, { seq: (await jsm.streams.info(DLQ)).state.last_seq });
		expect(copy?.subject).toBe(dlSubject(c));
		expect(fake.emittedErrors).toEqual([]);
		return fake;
	}

	it('exactly the README rights, no DLQ stream: the trigger creates DLQ (subjects dlq.>) and dead-letters into it', async () => {
		const c = dlCases.create;
		const fake = await deadLetters(c, dlUser(c));
		const { config } = await jsm.streams.info(DLQ);
		expect(config.subjects).toEqual(['dlq.>']);
		expect(fake.logs.some((l) => l.message === `Created the dead-letter stream "DLQ" for subject "dlq.TX.dnew"`)).toBe(true);
	});

	it('exactly the README rights, DLQ without the custom Dead-Letter Subject: the trigger adds the subject and sets its limits', async () => {
		const c = dlCases.update;
		await deadLetters(c, dlUser(c));
		const { config } = await jsm.streams.info(DLQ);
		expect(config.subjects).toEqual(['dlq.>', 'poison.TX.dupd']);
		// README: "sets its max age, max messages and duplicate window to this trigger's values".
		expect(config.max_age).toBe(30 * DAY_NS);
		expect(config.max_msgs).toBe(1_000_000);
		expect(config.duplicate_window).toBe(120_000_000_000);
	});

	it('no DLQ stream and a custom Dead-Letter Subject: the trigger creates DLQ storing that subject', async () => {
		const c = dlCases.createCustom;
		const fake = await deadLetters(c, dlUser(c));
		const { config } = await jsm.streams.info(DLQ);
		expect(config.subjects).toContain('poison.TX.dcust');
		expect(fake.logs.some((l) => l.message === `Created the dead-letter stream "DLQ" for subject "poison.TX.dcust"`)).toBe(true);
	});

	it('DLQ already stores the subject: the stream is neither created nor changed', async () => {
		const c = dlCases.existing;
		await deadLetters(c, dlUser(c));
		const { config } = await jsm.streams.info(DLQ);
		expect(config.subjects).toEqual(['dlq.>']);
		expect(config.max_age).toBe(3_600_000_000_000);
	});

	const entryCases = (key: 'required' | 'unused') =>
		(['create', 'update', 'existing'] as const).flatMap((name) => {
			const c = dlCases[name];
			const all = [...c.required, ...c.unused];
			return c[key].map((k) => [name, k, `${dlUser(c)}-${all.indexOf(k)}`] as const);
		});

	it.each(entryCases('unused'))('%s: a user without the unused entry "%s" still dead-letters', async (name, _entry, user) => {
		const fake = await deadLetters(dlCases[name], user);
		expect(fake.emissions).toHaveLength(1);
	});

	it.each(entryCases('required'))('%s: without "%s" the trigger fails at once, naming the subject and the Dead-Letter Queue option', async (name, key, user) => {
		const c = dlCases[name];
		const entry = dlEntries(dlSubject(c))[key];
		await prepare(c);
		const started = Date.now();
		// A refused dead-letter publish stops the trigger and hands the message back: the closed trigger
		// settles at once (afterEach waits at most 10 s for it), with the default execution timeout.
		const activation = await activate(user, dlParams(c));
		// Everything but the dead-letter publish is checked at activation.
		expect(activation.error === undefined).toBe(key === 'subject');
		const failure = await failureOf(activation, 'the refused dead-letter publish reported');
		expectRefusal(failure, entry, DL_FEATURE);
		expect(Date.now() - started).toBeLessThan(10_000);
		if (key !== 'subject') {
			// Refused before anything was made or changed.
			if (c.existing) expect((await jsm.streams.info(DLQ)).config.subjects).toEqual(c.existing.subjects);
			else expect(await streamExists(DLQ)).toBe(false);
			await expect(jsm.consumers.info(STREAM, c.consumer)).rejects.toThrow(/consumer not found/i);
		}
	});
});

describe('set 6, Acknowledge: Later in the Workflow with Skip Duplicates', () => {
	const LONG_FORM = /\$JS\.ACK\.\*\.\*\./;
	const laterParams = (c: string) =>
		params(c, {
			ackMode: 'later',
			idempotency: 'payloadField',
			idempotencyField: 'orderId',
			idempotencyOptions: { idempotencyBucket: bucketOf(c) },
		});

	/** Message → Acknowledge on the JetStream node, as `user`. */
	async function acknowledge(user: string, ackToken: unknown) {
		const { context } = fakeExecute({ params: { resource: 'message', operation: 'acknowledge', ackToken: String(ackToken), ackAction: 'ack' }, items: [{ json: {} }], credentials: credentialsOf(user) });
		return await new JetStream().execute.call(context);
	}

	/** A workflow whose Acknowledge node runs as `user`; its outputs and errors are collected. */
	function workflow(user: string) {
		const outputs: unknown[] = [];
		const errors: Error[] = [];
		const script: Script = async ({ items }) => {
			try {
				const [out] = await acknowledge(user, items[0].json.ackToken);
				outputs.push(out[0].json);
				return 'succeed';
			} catch (error) {
				errors.push(error as Error);
				return 'fail';
			}
		};
		return { outputs, errors, script };
	}

	async function processedState(c: string, key: string): Promise<string | undefined> {
		const kv = await new Kvm(admin).open(bucketOf(c));
		const entry = await kv.get(`k.${key}`);
		return entry && entry.operation === 'PUT' ? (JSON.parse(entry.string()) as { state: string }).state : undefined;
	}

	afterAll(async () => {
		for (const c of Object.values(LATER)) await jsm.streams.delete(`KV_${bucketOf(c)}`).catch(() => false);
	});

	it('exactly the rights: the key of a message acknowledged by the Acknowledge node is recorded, and a copy is skipped', async () => {
		const c = LATER.full;
		const run = workflow(`${c}-acker`);
		await publishTo(c, { orderId: 'L-1' });
		const { fake, error } = await activate(`${c}-trigger`, laterParams(c), { script: run.script });
		expect(error).toBeUndefined();
		const first = await lastSeq();
		await eventually(async () => (await ackFloor(c)) >= first, 10_000, 'the message acknowledged by the node');
		expect(run.errors).toEqual([]);
		expect(run.outputs).toEqual([{ acknowledged: 'ack' }]);
		await eventually(async () => (await processedState(c, 'L-1')) === 'processed', 5_000, 'the key recorded as processed');
		// The recorded key is used: a second message with the same key is acknowledged without running.
		await publishTo(c, { orderId: 'L-1' });
		const second = await lastSeq();
		await eventually(async () => (await ackFloor(c)) >= second, 10_000, 'the copy acknowledged');
		expect(fake.emissions).toHaveLength(1);
		expect(warnings(fake, /Cannot see the Acknowledge node's answers/)).toEqual([]);
		expect(fake.emittedErrors).toEqual([]);
		// The long ack-subject form `$JS.ACK.*.*.<s>.<c>.>` is optional (the README says "Nothing." happens
		// without it), but its refused subscription is logged once as a connection warning.
		expect(fake.logs.filter((l) => LONG_FORM.test(l.message)).map((l) => `${l.level} ${l.message}`)).toEqual([
			`warn NATS connection "tx-${c}-trigger" reported: Permissions Violation for Subscription to "$JS.ACK.*.*.TX.${c}.>"`,
		]);
	});

	it('without subscribe on $JS.ACK.<s>.<c>.>: the trigger runs, warns once, and the key is not recorded', async () => {
		const c = LATER.blind;
		const run = workflow(`${c}-acker`);
		await publishTo(c, { orderId: 'L-2' });
		const { fake, error } = await activate(`${c}-trigger-0`, laterParams(c), { script: run.script });
		expect(error).toBeUndefined();
		const expected =
			`Cannot see the Acknowledge node's answers: Permission denied: 'Acknowledge: Later in the Workflow' needs to watch the acknowledgements of consumer "${c}" of stream "TX"`;
		const seen = warnings(fake, /Cannot see the Acknowledge node's answers/);
		expect(seen).toHaveLength(1);
		expect(seen[0].message.startsWith(expected)).toBe(true);
		expect(seen[0].message).toContain(`"$JS.ACK.TX.${c}.>"`);
		const first = await lastSeq();
		await eventually(async () => (await ackFloor(c)) >= first && fake.running() === 0, 10_000, 'the message acknowledged by the node');
		expect(run.outputs).toEqual([{ acknowledged: 'ack' }]);
		// The key was given back (not recorded): a copy runs again.
		await publishTo(c, { orderId: 'L-2' });
		await eventually(() => fake.emissions.length === 2, 10_000, 'the copy ran again');
		expect(await processedState(c, 'L-2')).not.toBe('processed');
		expect(fake.emittedErrors).toEqual([]);
	});

	// Without subscribe _INBOX.> the node cannot receive the server's confirmation, but the ack itself is
	// published (only the inbox subscription is refused): the node fails although the message was acknowledged.
	const ackerCases = [
		[LATER.noPublish, 0, `publish $JS.ACK.TX.${LATER.noPublish}.>`, /"\$JS\.ACK\.TX\.lat3\.[^"]+"/, /the Message → Acknowledge operation needs to acknowledge messages of consumer "lat3" of stream "TX"/, false],
		[LATER.noInbox, 1, 'subscribe _INBOX.>', /_INBOX\./, /the Message → Acknowledge operation needs to receive replies/, true],
	] as const;

	it.each(ackerCases)('the Acknowledge operation of consumer %s without entry %i (%s) fails naming the subject', async (c, i, _what, refused, words, landed) => {
		const run = workflow(`${c}-acker-${i}`);
		await publishTo(c, { orderId: `L-${c}` });
		const seq = await lastSeq();
		const { fake, error } = await activate(`${c}-trigger`, laterParams(c), { script: run.script });
		expect(error).toBeUndefined();
		await eventually(() => run.errors.length > 0, 10_000, 'the Acknowledge node ran');
		const failure = run.errors[0];
		expect(failure.message).toMatch(/^Permission denied: /);
		expect(failure.message).toMatch(refused);
		expect(failure.message).toMatch(words);
		expect(run.outputs).toEqual([]);
		if (landed) {
			await eventually(async () => (await ackFloor(c)) >= seq, 5_000, 'the acknowledgement the node reported as failed');
			// The failed execution's retry (0.2 s) comes too late: the message is not delivered again.
			await new Promise((resolve) => setTimeout(resolve, 600));
			expect(fake.emissions).toHaveLength(1);
		} else {
			// Not acknowledged: the failed execution hands it back and it runs again.
			await eventually(() => fake.emissions.length >= 2, 5_000, 'the message delivered again');
			expect(await ackFloor(c)).toBeLessThan(seq);
			expect(await processedState(c, `L-${c}`)).not.toBe('processed');
		}
	});
});

describe('set 7, max-deliveries advisories (optional)', () => {
	const CANNOT_WATCH = /Cannot watch the server's max-deliveries advisories/;

	/** A bound durable with one allowed delivery, whose only delivery went to a client that never answers. */
	async function lostDelivery(c: string): Promise<number> {
		await jsm.consumers.add(STREAM, { durable_name: c, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: `tx.${c}.>`, max_deliver: 1, ack_wait: 2_000_000_000 });
		await publishTo(c, { lost: c });
		const seq = await lastSeq();
		const lost = await (await js().consumers.get(STREAM, c)).next({ expires: 2_000 });
		expect(lost?.seq).toBe(seq);
		return seq;
	}

	const advParams = (c: string) =>
		params(c, { consumerMode: 'bind', deadLetter: true, deadLetterOptions: { deadLetterStream: NAMED_DLQ, deadLetterSubject: namedSubject(c), createDeadLetterStream: false } });

	const copies = async (c: string) => {
		const { state } = await jsm.streams.info(NAMED_DLQ, { subjects_filter: namedSubject(c) });
		return state.subjects?.[namedSubject(c)] ?? 0;
	};

	it('with both entries: no warning, and a lost last delivery is dead-lettered from the advisory', async () => {
		const c = ADV.full;
		const seq = await lostDelivery(c);
		const { fake, error } = await activate(`${c}-trigger`, advParams(c));
		expect(error).toBeUndefined();
		await eventually(async () => (await copies(c)) === 1, 10_000, 'the dead-letter copy made from the advisory');
		expect(warnings(fake, CANNOT_WATCH)).toEqual([]);
		expect(fake.emissions).toHaveLength(0);
		expect(fake.failedExecutions.map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`stopped delivering message ${seq} after 1 deliveries`))]);
	});

	it('without subscribe on the advisory: the trigger activates, runs messages, warns once, and does not rescue the lost delivery', async () => {
		const c = ADV.noSubscribe;
		await lostDelivery(c);
		const { fake, error } = await activate(`${c}-trigger-0`, advParams(c));
		expect(error).toBeUndefined();
		await publishTo(c, { after: 1 });
		await eventually(() => fake.emissions.length === 1, 10_000, 'a new message ran');
		// Past the lost delivery's 2 s ack wait: the server gave up on it and said so only in the advisory.
		await new Promise((resolve) => setTimeout(resolve, 3_000));
		const seen = warnings(fake, CANNOT_WATCH);
		expect(seen).toHaveLength(1);
		expect(seen[0].message).toContain(`Permission denied`);
		expect(seen[0].message).toContain(`"${advisory(c)}"`);
		expect(await copies(c)).toBe(0);
		expect(fake.emittedErrors).toEqual([]);
	});

	it('without publish $JS.API.STREAM.MSG.GET.<stream>: the rescue after an advisory fails, as the README says', async () => {
		const c = ADV.noRead;
		const seq = await lostDelivery(c);
		const { fake, error } = await activate(`${c}-trigger-1`, advParams(c));
		expect(error).toBeUndefined();
		const rescue = new RegExp(`^Could not dead-letter message ${seq} that the server stopped delivering: Permission denied`);
		await eventually(() => fake.logs.some((l) => rescue.test(l.message)), 10_000, 'the failed rescue logged');
		const line = fake.logs.find((l) => rescue.test(l.message))!;
		expect(line.message).toContain('"$JS.API.STREAM.MSG.GET.TX"');
		expect(warnings(fake, CANNOT_WATCH)).toEqual([]);
		expect(await copies(c)).toBe(0);
	});
});

describe('set 8, test runs ("Listen for test event")', () => {
	const consumersOf = async () => {
		const names: string[] = [];
		for await (const info of jsm.consumers.list(STREAM)) names.push(info.name);
		return names;
	};

	/** The temporary consumer's name, from the trigger's start line. */
	const temporaryName = (fake: FakeTrigger) => /through consumer "([^"]+)" \(test run/.exec(fake.logs.map((l) => l.message).join('\n'))?.[1];

	const testRunParams = (c: string) => params(c, c === TEST_RUN.bind ? { consumerMode: 'bind' } : {});

	beforeAll(async () => {
		await jsm.consumers.add(STREAM, { durable_name: TEST_RUN.bind, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, filter_subject: `tx.${TEST_RUN.bind}.>` });
		for (const c of Object.values(TEST_RUN)) await publishTo(c, { event: `for ${c}` });
	});

	it.each(Object.entries(TEST_RUN))('%s mode, exactly set 8 plus set 1/2: a test run receives the message, acknowledges nothing and removes its consumer', async (mode, c) => {
		const before = mode === 'bind' ? await jsm.consumers.info(STREAM, c) : undefined;
		const { fake, response, error } = await activate(c, testRunParams(c), { mode: 'manual' });
		expect(error).toBeUndefined();
		await eventually(() => fake.emissions.length >= 1, 10_000, 'the test event');
		expect(fake.items()[0].json.payload).toEqual({ event: `for ${c}` });
		const temporary = temporaryName(fake);
		expect(temporary).toBeDefined();
		expect(temporary).not.toBe(c);
		await response!.closeFunction?.();
		await triggerSettled.get(response!);
		expect(fake.emittedErrors).toEqual([]);
		expect(fake.logs.filter((l) => /Could not delete the test-run consumer/.test(l.message))).toEqual([]);
		expect(await consumersOf()).not.toContain(temporary);
		if (mode === 'bind') {
			const after = await jsm.consumers.info(STREAM, c);
			expect(after.delivered).toEqual(before!.delivered);
			expect(after.ack_floor).toEqual(before!.ack_floor);
		} else {
			expect(await consumersOf()).not.toContain(c);
		}
	});

	const required = (['create', 'next', 'inbox'] as const).map((k) => [k, set8Entries[k], set8Drop.indexOf(set8Entries[k])] as const);
	const cases = Object.entries(TEST_RUN).flatMap(([mode, c]) => required.map(([k, entry, i]) => [mode, k, c, entry, i] as const));

	it.each(cases)('%s mode without "%s": the test run fails at once naming the subject', async (_mode, _key, c, entry, i) => {
		const started = Date.now();
		const activation = await activate(`${c}-${i}`, testRunParams(c), { mode: 'manual' });
		const failure = await failureOf(activation, 'the refused pull reported');
		expectRefusal(failure, entry);
		expect(activation.fake.emissions).toHaveLength(0);
		expect(Date.now() - started).toBeLessThan(10_000);
	});

	it('bind mode without any CONSUMER.INFO entry: the test run cannot read the durable, naming the subject', async () => {
		const activation = await activate('t8b-noinfo', testRunParams(TEST_RUN.bind), { mode: 'manual' });
		const failure = await failureOf(activation, 'the refused read reported');
		expectRefusal(failure, {
			list: 'publish',
			entry: api(`CONSUMER.INFO.${STREAM}.${TEST_RUN.bind}`),
			refused: /"\$JS\.API\.CONSUMER\.INFO\.TX\.t8b"/,
			words: /the JetStream Trigger needs to read consumer "t8b" of stream "TX"/,
		});
	});

	// Set 8 lists CONSUMER.INFO.<stream>.* without calling it optional: a test run reads the temporary
	// consumer's info only when its pull goes quiet, and bind mode reads the durable with set 1's entry.
	it.each(Object.entries(TEST_RUN))('%s mode without CONSUMER.INFO.<stream>.*: the test run still receives the message', async (_mode, c) => {
		const { fake, error } = await activate(`${c}-${set8Drop.indexOf(set8Entries.info)}`, testRunParams(c), { mode: 'manual' });
		expect(error).toBeUndefined();
		await eventually(() => fake.emissions.length >= 1, 10_000, 'the test event');
		expect(fake.items()[0].json.payload).toEqual({ event: `for ${c}` });
		expect(fake.emittedErrors).toEqual([]);
	});

	it('without CONSUMER.DELETE.<stream>.*: the test run works and closing logs that the server removes the consumer', async () => {
		const c = TEST_RUN.create;
		const { fake, response, error } = await activate(`${c}-${set8Drop.indexOf(set8Entries.delete)}`, testRunParams(c), { mode: 'manual' });
		expect(error).toBeUndefined();
		await eventually(() => fake.emissions.length >= 1, 10_000, 'the test event');
		const temporary = temporaryName(fake);
		await response!.closeFunction?.();
		await triggerSettled.get(response!);
		const lines = warnings(fake, /^Could not delete the test-run consumer \(the server removes it after a minute\)/);
		expect(lines).toHaveLength(1);
		expect(lines[0].message).toMatch(/Permission denied/);
		expect(lines[0].message).toContain(`"$JS.API.CONSUMER.DELETE.TX.${temporary}"`);
		expect(await consumersOf()).toContain(temporary);
		await jsm.consumers.delete(STREAM, temporary!);
	});
});

describe('the statistics bucket (optional)', () => {
	const statsParams = (c: string) => params(c, { options: { retryDelay: 0.2, closeTimeout: 2, content: 'json', statsInterval: 5, statsBucket: STATS } });
	const keysOf = async (c: string) => {
		const kv = await new Kvm(admin).open(STATS);
		const keys: string[] = [];
		for await (const key of await kv.keys(`${STREAM}.${c}.>`)) keys.push(key);
		return keys;
	};

	// In order: the first one creates the bucket the others (refused its creation) would find.
	it('exactly the README rights: the trigger creates the bucket, writes its key every interval and removes it when closed', async () => {
		const { fake, response, error } = await activate('stats', statsParams('st1'));
		expect(error).toBeUndefined();
		await eventually(async () => (await streamExists(`KV_${STATS}`)) && (await keysOf('st1')).length === 1, 10_000, 'the trigger\'s key');
		expect(warnings(fake, /statistics/)).toEqual([]);
		await response!.closeFunction?.();
		await triggerSettled.get(response!);
		expect(await keysOf('st1')).toEqual([]);
	}, 20_000);

	it.each(statsEntries.map((e, i) => [e.entry, i, e] as const))('without %s: one warning naming it, the trigger runs on', async (_entry, i, entry) => {
		if (i === 0 || i === 1) await jsm.streams.delete(`KV_${STATS}`).catch(() => false);
		else await new Kvm(admin).create(STATS, { ttl: 15 * 60_000, history: 1 });
		const { fake, error } = await activate(`stats-${i}`, statsParams('st1'));
		expect(error).toBeUndefined();
		await publishTo('st1', { n: i });
		await eventually(() => warnings(fake, /statistics/).length === 1, 10_000, 'the warning');
		await new Promise((resolve) => setTimeout(resolve, 5_500));
		const seen = warnings(fake, /statistics/);
		expect(seen).toHaveLength(1);
		expect(seen[0].message).toMatch(/^Permission denied: /);
		expect(seen[0].message).toMatch(entry.refused);
		expect(fake.emissions).toHaveLength(1);
		expect(fake.emittedErrors).toEqual([]);
	}, 25_000);
});
