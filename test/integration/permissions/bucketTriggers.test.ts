import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { INodeType, ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { JetStreamKvTrigger } from '../../../nodes/JetStreamKvTrigger/JetStreamKvTrigger.node';
import { JetStreamObjectStoreTrigger } from '../../../nodes/JetStreamObjectStoreTrigger/JetStreamObjectStoreTrigger.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { eventually, fakeTrigger, withStraightQuotes, type FakeTrigger } from '../../helpers/fakeTrigger';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';

/**
 * The README's rights for the key-value and object store triggers, proven: a user with exactly them
 * gets every change (and the object's bytes), and the same rights minus any one fail at once naming
 * the refused subject.
 */

const KV = 'lp_state';
const OBJ = 'lp_files';
const api = (rest: string) => `$JS.API.${rest}`;

interface Rights {
	publish: string[];
	subscribe: string[];
	/** Every entry is needed: each is left out once. */
	required: Array<{ entry: string; refused: RegExp }>;
}

/** Set 2 of the README on the bucket's stream, with the consumer `c` the trigger creates (its filter is in the subject). */
function triggerRights(stream: string, c: string): Rights {
	const entries = [api(`CONSUMER.INFO.${stream}.${c}`), api(`CONSUMER.CREATE.${stream}.${c}.>`), api(`CONSUMER.MSG.NEXT.${stream}.${c}`), `$JS.ACK.${stream}.${c}.>`];
	return {
		publish: entries,
		subscribe: ['_INBOX.>'],
		required: [...entries, '_INBOX.>'].map((entry) => ({ entry, refused: new RegExp(entry.replace(/[.$*>]/g, (c) => (c === '>' ? '' : `\\${c}`)).replace(/\\\.$/, '')) })),
	};
}

/** Download Content adds what Object Store → Download Object reads: the last chunk, an ordered consumer on the chunks. */
function downloadRights(c: string): Rights {
	const base = triggerRights(`OBJ_${OBJ}`, c);
	const extra = [api(`STREAM.MSG.GET.OBJ_${OBJ}`), api(`CONSUMER.CREATE.OBJ_${OBJ}.>`), api(`CONSUMER.MSG.NEXT.OBJ_${OBJ}.*`), api(`STREAM.INFO.OBJ_${OBJ}`)];
	return {
		publish: [...base.publish, ...extra],
		subscribe: base.subscribe,
		required: [
			...base.required.filter((r) => !/CONSUMER\.(CREATE|MSG\.NEXT)/.test(r.entry)),
			{ entry: extra[0], refused: /\$JS\.API\.(STREAM\.MSG\.GET|DIRECT\.GET)\.OBJ_lp_files/ },
			{ entry: extra[1], refused: /\$JS\.API\.CONSUMER\.CREATE\.OBJ_lp_files\./ },
			{ entry: extra[2], refused: /\$JS\.API\.CONSUMER\.MSG\.NEXT\.OBJ_lp_files\./ },
			{ entry: extra[3], refused: /\$JS\.API\.STREAM\.INFO\.OBJ_lp_files/ },
		],
	};
}

const sets: Record<string, { node: () => INodeType; params: Record<string, unknown>; rights: Rights }> = {
	kv: { node: () => new JetStreamKvTrigger(), params: { kvBucket: KV, consumerName: 'kvc' }, rights: triggerRights(`KV_${KV}`, 'kvc') },
	obj: { node: () => new JetStreamObjectStoreTrigger(), params: { objectBucket: OBJ, consumerName: 'objc', download: false }, rights: triggerRights(`OBJ_${OBJ}`, 'objc') },
	download: { node: () => new JetStreamObjectStoreTrigger(), params: { objectBucket: OBJ, consumerName: 'dlc', download: true }, rights: downloadRights('dlc') },
};

function usersConfig(): string {
	const block = (name: string, publish: string[], subscribe: string[]) =>
		`{ user: "${name}", password: "pw", permissions: { publish: { allow: ${JSON.stringify(publish)} }, subscribe: { allow: ${JSON.stringify(subscribe.length ? subscribe : ['nothing.at.all'])} } } }`;
	const users = Object.entries(sets).flatMap(([name, { rights }]) => [
		block(name, rights.publish, rights.subscribe),
		...rights.required.map(({ entry }, i) => block(`${name}-${i}`, rights.publish.filter((s) => s !== entry), rights.subscribe.filter((s) => s !== entry))),
	]);
	return `accounts { APP { jetstream: enabled, users: [\n${[...users, '{ user: admin, password: admin-pw }'].join(',\n')}\n] } }`;
}

let server: NatsServer;
let admin: NatsConnection;
const open: ITriggerResponse[] = [];

beforeAll(async () => {
	server = await startNatsServer({ label: 'bucket-trigger-rights', config: usersConfig() });
	admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-pw' });
	await new Kvm(admin).create(KV);
	await new Objm(admin).create(OBJ);
}, 30_000);

afterEach(async () => {
	await Promise.all(open.splice(0).map((r) => r.closeFunction?.()));
	await connectionPool.closeAll();
});

afterAll(async () => {
	await admin?.close();
	await server?.cleanup();
});

async function activate(set: string, user: string): Promise<{ fake: FakeTrigger; error?: Error }> {
	const fake = fakeTrigger({
		params: { ...sets[set].params, startWith: 'new', ackMode: 'executionSucceeds', deadLetter: false, options: { retryDelay: 0.2, closeTimeout: 2 } },
		credentials: { servers: server.url, authType: 'userPassword', user, password: 'pw', connectionName: `rights-${user}` },
	});
	try {
		open.push((await sets[set].node().trigger!.call(fake.context as ITriggerFunctions))!);
		return { fake };
	} catch (error) {
		return { fake, error: error as Error };
	}
}

async function change(set: string, n: number): Promise<void> {
	if (set === 'kv') await (await new Kvm(admin).open(KV)).put(`k.${n}`, JSON.stringify({ n }));
	else await (await new Objm(admin).open(OBJ)).putBlob({ name: `${set}-${n}.txt` }, new TextEncoder().encode(`file ${n}`));
}

describe('bucket triggers with exactly their README rights', () => {
	it.each(Object.keys(sets))('set "%s" runs every change', async (set) => {
		const { fake, error } = await activate(set, set);
		expect(error).toBeUndefined();
		await change(set, 1);
		await change(set, 2);
		await eventually(() => fake.emissions.length === 2, 10_000, 'two executions');
		expect(fake.emittedErrors).toEqual([]);
		if (set === 'download') expect(fake.items().map((i) => Buffer.from(i.binary!.data.data, 'base64').toString())).toEqual(['file 1', 'file 2']);
	});

	const cases = Object.entries(sets).flatMap(([set, { rights }]) => rights.required.map((right, i) => [set, i, right.entry] as const));

	it.each(cases)('set "%s" without right %i (%s) fails at once naming it', async (set, i) => {
		const right = sets[set].rights.required[i];
		const { fake, error } = await activate(set, `${set}-${i}`);
		let failure = error;
		if (!failure) {
			await change(set, 100 + i);
			await eventually(() => fake.emittedErrors.length > 0, 10_000, 'the trigger stopped with an error');
			failure = fake.emittedErrors[0];
		}
		const message = withStraightQuotes(failure);
		expect(message).toMatch(/^Permission denied: /);
		expect(message).toMatch(right.refused);
		// Only an acknowledgement is refused after its execution ran; every other right is needed before one starts.
		if (!right.entry.startsWith('$JS.ACK.')) expect(fake.emissions).toHaveLength(0);
	});
});
