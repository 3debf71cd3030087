import { eventually, type Script } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { activate, pause, type ActiveTrigger, type TestStream } from '../trigger/harness';
import { listed, picked, tenantSuite, type Account } from './harness';

/**
 * Two credentials on two NATS accounts of one server (issue 25, Tenants): same stream name in both,
 * each with its own subjects. Nothing may cross: not a connection, a lookup, a picker, a message or
 * a dead letter.
 */

const suite = tenantSuite('tenants-accounts');

interface Pair {
	name: string;
	/** The subject root of each account's copy of the stream. */
	root: Record<'TEN_A' | 'TEN_B', string>;
}

/** The same stream name in both accounts, capturing different subjects, plus one stream only each has. */
async function sameNameInBoth(): Promise<Pair & { only: Record<'TEN_A' | 'TEN_B', string> }> {
	const name = uniqueName('ORDERS');
	const root = { TEN_A: `a-${name.toLowerCase()}`, TEN_B: `b-${name.toLowerCase()}` };
	const only = { TEN_A: uniqueName('ONLY_A'), TEN_B: uniqueName('ONLY_B') };
	for (const account of ['TEN_A', 'TEN_B'] as const) {
		const { jsm } = suite.admin(account);
		await jsm.streams.add({ name, subjects: [`${root[account]}.>`], max_msgs: MAX_MSGS[account] });
		await jsm.streams.add({ name: only[account], subjects: [`${only[account].toLowerCase()}.>`] });
	}
	return { name, root, only };
}

const MAX_MSGS = { TEN_A: 100, TEN_B: 200 };

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	for (const step of cleanups.splice(0).reverse()) await step();
});

function start(account: Account, stream: string, durable: string, script: Script, params: Record<string, unknown> = {}): Promise<ActiveTrigger> {
	const trigger = activate(suite.server, { name: stream } as TestStream, durable, { credentials: suite.credentials(account), script, params });
	cleanups.push(async () => (await trigger).close());
	return trigger;
}

describe('Two credentials on two NATS accounts', () => {
	it('get separate connections and each its own stream of the same name; pickers list only their own account', async () => {
		const { name, root, only } = await sameNameInBoth();
		cleanups.push(async () => {
			for (const account of ['TEN_A', 'TEN_B'] as const) {
				await suite.admin(account).jsm.streams.delete(name);
				await suite.admin(account).jsm.streams.delete(only[account]);
			}
		});
		const a = suite.credentials('TEN_A');
		const b = suite.credentials('TEN_B');
		// Interleaved, so a lookup cached by stream name would hand one account's answer to the other.
		for (let round = 0; round < 2; round++) {
			const [infoA] = await suite.run(a, { resource: 'stream', operation: 'get', stream: name });
			const [infoB] = await suite.run(b, { resource: 'stream', operation: 'get', stream: name });
			expect(infoA).toMatchObject({ name, subjects: [`${root.TEN_A}.>`], maxMessages: MAX_MSGS.TEN_A });
			expect(infoB).toMatchObject({ name, subjects: [`${root.TEN_B}.>`], maxMessages: MAX_MSGS.TEN_B });
		}
		// Identical settings but the user: two connections, one in each account.
		expect((await suite.connections()).map((c) => c.account).sort()).toEqual(['TEN_A', 'TEN_B']);

		const streamsA = listed(await suite.search(a, 'searchStreams'));
		const streamsB = listed(await suite.search(b, 'searchStreams'));
		expect(streamsA).toEqual(expect.arrayContaining([name, only.TEN_A]));
		expect(streamsA).not.toContain(only.TEN_B);
		expect(streamsB).toEqual(expect.arrayContaining([name, only.TEN_B]));
		expect(streamsB).not.toContain(only.TEN_A);
		await expect(suite.run(a, { resource: 'stream', operation: 'get', stream: only.TEN_B })).rejects.toThrow(/does not exist/);
	});

	it('keep their own schema registry: the same schema name in both accounts validates by each account\'s own version', async () => {
		const name = `order_${uniqueName('s').toLowerCase()}`;
		cleanups.push(async () => {
			for (const account of ['TEN_A', 'TEN_B'] as const) await suite.admin(account).jsm.streams.delete('KV_n8n_schemas').catch(() => false);
		});
		const requiring = (field: string) => JSON.stringify({ type: 'object', required: [field] });
		await suite.run(suite.credentials('TEN_A'), { resource: 'schema', operation: 'register', schemaName: name, schemaDocument: requiring('a'), registryBucket: 'n8n_schemas' });
		await suite.run(suite.credentials('TEN_B'), { resource: 'schema', operation: 'register', schemaName: name, schemaDocument: requiring('b'), registryBucket: 'n8n_schemas' });
		const validate = (account: 'TEN_A' | 'TEN_B') =>
			suite.run(suite.credentials(account), { resource: 'schema', operation: 'validate', schemaSource: 'registry', schemaRef: name, schemaBucket: 'n8n_schemas' }, [{ json: { a: 1 } }]);
		// Interleaved: a registry lookup cached by bucket and name alone would answer B with A's schema.
		for (let round = 0; round < 2; round++) {
			expect((await validate('TEN_A'))[0].valid).toBe(true);
			expect((await validate('TEN_B'))[0].valid).toBe(false);
		}
	});

	it('deliver a publish only to the own account\'s trigger, and dead-letter into the own account', async () => {
		const { name, root, only } = await sameNameInBoth();
		const durable = { TEN_A: 'billing_a', TEN_B: 'billing_b' };
		cleanups.push(async () => {
			for (const account of ['TEN_A', 'TEN_B'] as const) {
				const { jsm } = suite.admin(account);
				await jsm.streams.delete(name);
				await jsm.streams.delete(only[account]);
				await jsm.streams.delete('DLQ').catch(() => false);
			}
		});
		// A's workflow fails every message (dead letter after 2 deliveries); B's succeeds.
		const triggerA = await start('TEN_A', name, durable.TEN_A, () => ({ failWith: 'A refuses' }), { maxDeliver: 2 });
		const triggerB = await start('TEN_B', name, durable.TEN_B, () => 'succeed');
		const a = suite.credentials('TEN_A');
		const b = suite.credentials('TEN_B');

		await suite.run(a, { resource: 'message', operation: 'publish', subject: `${root.TEN_A}.created` }, [{ json: { from: 'a' } }]);
		await suite.run(b, { resource: 'message', operation: 'publish', subject: `${root.TEN_B}.created` }, [{ json: { from: 'b' } }]);
		// B's subject means nothing in A's account: no stream there stores it.
		await expect(suite.run(a, { resource: 'message', operation: 'publish', subject: `${root.TEN_B}.created` }, [{ json: { from: 'a' } }])).rejects.toThrow(/no stream/i);

		const dlqMessages = (account: Account) => suite.admin(account).jsm.streams.info('DLQ').then((i) => i.state.messages, () => 0);
		await eventually(async () => (await dlqMessages('TEN_A')) === 1, 15_000, "A's dead letter");
		await eventually(() => triggerB.fake.items().length === 1, 10_000, "B's message");
		await pause(500);
		expect(triggerA.fake.items().map((i) => i.json.subject)).toEqual([`${root.TEN_A}.created`, `${root.TEN_A}.created`]);
		expect(triggerB.fake.items().map((i) => i.json.subject)).toEqual([`${root.TEN_B}.created`]);
		// B's trigger made a dead-letter stream of its own at activation: it stays empty.
		expect(await dlqMessages('TEN_B')).toBe(0);
		const copy = await suite.admin('TEN_A').jsm.streams.getMessage('DLQ', { seq: 1 });
		expect(copy?.subject).toBe(`dlq.${name}.${durable.TEN_A}`);

		// The consumer picker lists only the own account's durable of the stream both have.
		expect(listed(await suite.search(a, 'searchConsumers', { stream: picked(name) }))).toEqual([durable.TEN_A]);
		expect(listed(await suite.search(b, 'searchConsumers', { stream: picked(name) }))).toEqual([durable.TEN_B]);
		// Dead Letter → Get Many through each credential: only its own.
		expect(await suite.run(a, { resource: 'deadLetter', operation: 'getAll', dlqStream: 'DLQ', limit: 50, filters: {} })).toHaveLength(1);
		expect(await suite.run(b, { resource: 'deadLetter', operation: 'getAll', dlqStream: 'DLQ', limit: 50, filters: {} })).toHaveLength(0);
	});
});
