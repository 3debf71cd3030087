import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { INodeListSearchItems, INodeListSearchResult, INodeType } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeLoadOptions } from '../../helpers/fakeLoadOptions';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';

/**
 * The stream list on a server that has no stream yet: n8n's editor would show a bare "No results".
 * The list says what to do from the node the user is in, in entries the editor shows but will not
 * select (n8n 2.41 ignores a click on an entry whose value is a boolean).
 */

let server: NatsServer;

/** The stream goes again, so the server is empty for the tests after. */
async function deleteStream(admin: Awaited<ReturnType<typeof connect>>, stream: string): Promise<void> {
	await (await jetstreamManager(admin)).streams.delete(stream);
}

beforeAll(async () => {
	server = await startNatsServer({ label: 'empty-server-lists' });
});

afterAll(async () => {
	await connectionPool.closeAll();
	await server?.cleanup();
});

async function streamList(node: INodeType, type: string, params: Record<string, unknown> = {}, filter?: string): Promise<INodeListSearchResult> {
	const { context } = fakeLoadOptions({ params, credentials: { servers: server.url, authType: 'none' }, nodeType: type });
	return await node.methods!.listSearch!.searchStreams.call(context, filter);
}

const trigger = (params: Record<string, unknown> = {}, filter?: string) => streamList(new JetStreamTrigger(), 'n8n-nodes-jetstream.jetStreamTrigger', params, filter);
const action = () => streamList(new JetStream(), 'n8n-nodes-jetstream.jetStream');

describe('the stream list on a server without streams', () => {
	it('in the trigger: says so and names the way forward, in two entries that cannot be chosen', async () => {
		const { results } = await trigger();
		expect(results.map((r) => r.name)).toEqual(['No streams on this server yet', 'Choose "By Name", type a name, turn on "Create Stream If Missing"']);
		for (const entry of results) {
			expect(typeof entry.value).toBe('boolean');
			expect(entry.url).toBe('https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#on-an-empty-server');
		}
		// The editor drops an entry whose value it has already seen.
		expect(new Set(results.map((r) => r.value)).size).toBe(results.length);
	});

	it('the same with a search typed: nothing to find, the same advice', async () => {
		expect((await trigger({}, 'ORD')).results.map((r) => r.name)).toEqual(['No streams on this server yet', 'Choose "By Name", type a name, turn on "Create Stream If Missing"']);
	});

	it('in the trigger bound to an admin\'s consumer: the option is not there, so it says who makes them', async () => {
		const { results } = await trigger({ consumerMode: 'bind' });
		expect(results.map((r) => r.name)).toEqual(['No streams on this server yet', 'Ask the NATS admin for the stream and consumer to bind to']);
	});

	it('in the JetStream node: names the operation that creates one', async () => {
		const { results } = await action();
		expect(results.map((r) => r.name)).toEqual(['No streams on this server yet', 'Create one with a JetStream node: Stream → Create']);
	});

	it('the bucket and dead-letter stream lists say what makes one', async () => {
		const { context } = fakeLoadOptions({ params: {}, credentials: { servers: server.url, authType: 'none' }, nodeType: 'n8n-nodes-jetstream.jetStream' });
		const search = new JetStream().methods!.listSearch!;
		const names = async (method: 'searchBuckets' | 'searchDeadLetterStreams') => (await search[method].call(context)).results.map((r: INodeListSearchItems) => [r.name, typeof r.value]);
		expect(await names('searchBuckets')).toEqual([
			['No key-value buckets on this server yet', 'boolean'],
			['Choose "By Name" and type one; Key-Value → Create Bucket makes one', 'boolean'],
		]);
		expect(await names('searchDeadLetterStreams')).toEqual([
			['No dead-letter stream yet', 'boolean'],
			['A JetStream Trigger creates "DLQ" at its first dead letter, or use Dead Letter → Create Stream', 'boolean'],
		]);
	});

	it('the consumer list of a stream without consumers names the way forward from each node', async () => {
		const admin = await connect({ servers: server.url });
		try {
			const jsm = await jetstreamManager(admin);
			await jsm.streams.add({ name: 'NOCONS', subjects: ['nocons.>'] });
			const consumers = async (node: INodeType, type: string, params: Record<string, unknown>) => {
				const { context } = fakeLoadOptions({ params: { stream: 'NOCONS', ...params }, credentials: { servers: server.url, authType: 'none' }, nodeType: type });
				return (await node.methods!.listSearch!.searchConsumers.call(context)).results.map((r) => r.name);
			};
			const none = 'No consumers on stream "NOCONS" yet';
			expect(await consumers(new JetStream(), 'n8n-nodes-jetstream.jetStream', {})).toEqual([none, 'Create one with a JetStream node: Consumer → Create or Update']);
			expect(await consumers(new JetStreamTrigger(), 'n8n-nodes-jetstream.jetStreamTrigger', { consumerMode: 'bind' })).toEqual([
				none,
				'Ask the NATS admin, or let the trigger create its consumer (Create or Update Consumer)',
			]);
			expect(await consumers(new JetStreamTrigger(), 'n8n-nodes-jetstream.jetStreamTrigger', { consumerMode: 'createOrUpdate' })).toEqual([
				none,
				'Choose "By Name" and type a new name: the trigger creates the consumer',
			]);
		} finally {
			await deleteStream(admin, 'NOCONS');
			await admin.close();
		}
	});

	it('lists the streams as before once there is one', async () => {
		const admin = await connect({ servers: server.url });
		try {
			const jsm = await jetstreamManager(admin);
			await jsm.streams.add({ name: 'FIRST', subjects: ['first.>'] });
			expect((await trigger()).results).toEqual([{ name: 'FIRST (first.>)', value: 'FIRST', description: 'first.>' }]);
		} finally {
			await admin.close();
		}
	});
});
