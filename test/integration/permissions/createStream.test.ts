import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { eventually, fakeTrigger, type FakeTrigger } from '../../helpers/fakeTrigger';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';

/**
 * The README's rights for "Create Stream If Missing", proven: set 2 (a trigger that creates its
 * consumer) plus `$JS.API.STREAM.CREATE.<stream>` creates the stream and runs; without that entry the
 * activation fails at once, naming the right, the option and the stream; a credential that may not
 * look streams up still learns that another stream holds the subjects.
 */

const api = (rest: string) => `$JS.API.${rest}`;

/** Set 2 of the README for stream `s`, consumer `c` with filter subject(s) under `s.toLowerCase()`. */
const consumerRights = (s: string, c: string) => [
	api(`CONSUMER.INFO.${s}.${c}`),
	api(`CONSUMER.CREATE.${s}.${c}`),
	api(`CONSUMER.CREATE.${s}.${c}.>`),
	api(`CONSUMER.MSG.NEXT.${s}.${c}`),
	`$JS.ACK.${s}.${c}.>`,
];

const USERS: Record<string, string[]> = {
	creator: [...consumerRights('FRESH', 'orders'), api('STREAM.CREATE.FRESH')],
	noCreate: consumerRights('FORBIDDEN', 'orders'),
	noLookup: [...consumerRights('CLASH', 'orders'), api('STREAM.CREATE.CLASH')],
};

function usersConfig(): string {
	const users = Object.entries(USERS).map(
		([user, publish]) => `{ user: "${user}", password: "pw", permissions: { publish: { allow: ${JSON.stringify(publish)} }, subscribe: { allow: ["_INBOX.>"] } } }`,
	);
	users.push('{ user: admin, password: admin-pw }');
	return `accounts { APP { jetstream: enabled, users: [\n${users.join(',\n')}\n] } }`;
}

let server: NatsServer;
let admin: NatsConnection;
let jsm: JetStreamManager;
const open: ITriggerResponse[] = [];

beforeAll(async () => {
	server = await startNatsServer({ label: 'create-stream-rights', config: usersConfig() });
	admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-pw' });
	jsm = await jetstreamManager(admin);
	await jsm.streams.add({ name: 'OWNER', subjects: ['clash.>'] });
}, 30_000);

afterEach(async () => {
	await Promise.all(open.splice(0).map((r) => r.closeFunction?.()));
	await connectionPool.closeAll();
});

afterAll(async () => {
	await admin?.close();
	await server?.cleanup();
});

/** Activates a trigger with the option on, reading `stream` through durable "orders", filter `<stream lower case>.>`. */
async function activate(user: string, stream: string): Promise<{ fake: FakeTrigger; error?: Error & { description?: string } }> {
	const fake = fakeTrigger({
		params: {
			stream,
			createStream: true,
			consumerMode: 'createOrUpdate',
			durableName: 'orders',
			filterSubjects: `${stream.toLowerCase()}.>`,
			deliverPolicy: 'all',
			ackMode: 'executionSucceeds',
			deadLetter: false,
			options: { closeTimeout: 2 },
		},
		credentials: { servers: server.url, authType: 'userPassword', user, password: 'pw', connectionName: `create-${user}` },
	});
	try {
		open.push(await new JetStreamTrigger().trigger.call(fake.context));
		return { fake };
	} catch (error) {
		return { fake, error: error as Error };
	}
}

/** An activation error as n8n shows it (what to do in the message itself, typographic quotes), read with plain ones. */
const plain = (error?: Error) => (error?.message ?? '').replace(/[“”]/g, '"');

const exists = async (name: string) => await jsm.streams.info(name).then(() => true, () => false);

describe('Create Stream If Missing: rights', () => {
	it('set 2 plus $JS.API.STREAM.CREATE.<stream> creates the stream and runs its messages', async () => {
		const { fake, error } = await activate('creator', 'FRESH');
		expect(error).toBeUndefined();
		expect((await jsm.streams.info('FRESH')).config.subjects).toEqual(['fresh.>']);
		await jetstream(admin).publish('fresh.created', JSON.stringify({ n: 1 }));
		await eventually(() => fake.emissions.length === 1, 10_000, 'the execution');
	});

	it('without it: fails at once naming the right, the option and the stream, and creates nothing', async () => {
		const started = Date.now();
		const { error } = await activate('noCreate', 'FORBIDDEN');
		expect(plain(error)).toMatch(
			/^Permission denied: the "Create Stream If Missing" option needs to create stream "FORBIDDEN" — this credential's NATS user may not publish to "\$JS\.API\.STREAM\.CREATE\.FORBIDDEN"\. Ask the NATS admin/,
		);
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(await exists('FORBIDDEN')).toBe(false);
	});

	it('a credential that may not look streams up still learns that another stream holds the subjects', async () => {
		const { error } = await activate('noLookup', 'CLASH');
		expect(plain(error).startsWith('Cannot create stream "CLASH": another stream already stores some of its subjects (clash.>). A subject')).toBe(true);
		expect(error?.description).toMatch(/^A subject is stored by one stream only\. Set "Stream Subjects" to subjects no other stream stores/);
	});
});
