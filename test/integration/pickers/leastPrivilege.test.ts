import { AckPolicy } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { NodeApiError } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { SchemaRegistry } from '../../../nodes/shared/schema';
import { fakeExecute } from '../../helpers/fakeExecute';
import { uniqueName } from '../../helpers/natsServer';
import { names, picked, pickerSuite } from './harness';

/**
 * The pickers for a NATS user who may not list: the list says which right is missing and to type the
 * name instead, at once; typing the name then works without that right. A user with the names-only
 * rights ($JS.API.STREAM.NAMES, $JS.API.CONSUMER.NAMES.<s>) still gets the names.
 */

const suite = pickerSuite('pickers-least-privilege');

/** A refused right must fail the list at once, not after a timeout. */
const AT_ONCE_MS = 3_000;

async function streamWithConsumer(): Promise<{ stream: string; consumer: string }> {
	const stream = uniqueName('S');
	await suite.jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
	await suite.jsm.consumers.add(stream, { durable_name: 'billing', ack_policy: AckPolicy.Explicit, filter_subject: `${stream.toLowerCase()}.paid` });
	return { stream, consumer: 'billing' };
}

describe('pickers for a user who may only list names', () => {
	it('lists stream names (without subjects) when the full listing is refused', async () => {
		const { stream } = await streamWithConsumer();
		const result = await suite.search('searchStreams', { user: 'namesOnly', filter: stream });
		expect(result.results).toEqual([{ name: stream, value: stream }]);
	});

	it('lists consumer names, and bucket names, the same way', async () => {
		const { stream } = await streamWithConsumer();
		expect(await suite.search('searchConsumers', { user: 'namesOnly', params: { stream: picked(stream) } })).toEqual({ results: [{ name: 'billing', value: 'billing' }] });
		const bucket = uniqueName('b').toLowerCase();
		await new Kvm(suite.admin).create(bucket);
		expect(names(await suite.search('searchBuckets', { user: 'namesOnly', filter: bucket }))).toEqual([bucket]);
	});
});

describe('pickers for a user who may not list at all', () => {
	it.each([
		['searchStreams', 'jetStream'],
		['searchStreams', 'trigger'],
		['searchBuckets', 'jetStream'],
		['searchDeadLetterStreams', 'trigger'],
	] as const)('%s (%s) names the refused right and says to type the name', async (method, node) => {
		const { error, ms } = await suite.refusal(method, { user: 'noList', node });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(/^Permission denied: this credential's NATS user may not list the streams\. Choose "By Name" and type the (stream|bucket) name instead$/);
		expect(error.description).toContain('The server refused publish to "$JS.API.STREAM.LIST"');
		expect(error.description).toContain('(or "$JS.API.STREAM.NAMES" for the names alone)');
		expect(error.description).toContain('Typing a name needs no right to list');
		expect(ms).toBeLessThan(AT_ONCE_MS);
	});

	it('consumers: names the stream whose consumers it may not list', async () => {
		const { stream } = await streamWithConsumer();
		for (const node of ['jetStream', 'trigger'] as const) {
			const { error, ms } = await suite.refusal('searchConsumers', { user: 'noList', node, params: { stream: picked(stream), consumerMode: 'bind' } });
			expect(error.message).toBe(`Permission denied: this credential's NATS user may not list the consumers of stream "${stream}". Choose "By Name" and type the consumer name instead`);
			expect(error.description).toContain(`publish to "$JS.API.CONSUMER.LIST.${stream}"`);
			expect(error.description).toContain(`"$JS.API.CONSUMER.NAMES.${stream}" for the names alone`);
			expect(ms).toBeLessThan(AT_ONCE_MS);
		}
	});

	it("schemas: names the right the registry's key listing needs", async () => {
		const bucket = uniqueName('reg').toLowerCase();
		await (await SchemaRegistry.open(suite.client, bucket, true)).register('order.created', { type: 'object' });
		const { error, ms } = await suite.refusal('searchSchemas', { user: 'noList', params: { registryBucket: bucket } });
		expect(error.message).toMatch(new RegExp(`^Permission denied: this credential's NATS user may not .*key-value bucket "${bucket}".*\\. Choose "By Name" and type the schema name instead$`));
		expect(error.description).toMatch(new RegExp(`The server refused publish to "\\$JS\\.API\\.CONSUMER\\.CREATE\\.KV_${bucket}`));
		expect(ms).toBeLessThan(AT_ONCE_MS);
	});

	it('a user who may not receive replies is told that, not that listing is refused', async () => {
		const { error } = await suite.refusal('searchStreams', { user: 'noInbox' });
		expect(error.message).toMatch(/^Permission denied: this credential's NATS user may not receive replies/);
		expect(error.description).toMatch(/The server refused subscribe to "_INBOX\./);
	});

	it('typing the names ("By Name") works without any right to list', async () => {
		const { stream, consumer } = await streamWithConsumer();
		const { context } = fakeExecute({
			params: { resource: 'consumer', operation: 'get', stream: picked(stream, 'name'), consumerName: picked(consumer, 'name') },
			credentials: suite.credentials('noList'),
		});
		const [out] = await new JetStream().execute.call(context);
		expect(out.map((item) => item.json)).toMatchObject([{ stream, name: consumer, config: { filterSubjects: [`${stream.toLowerCase()}.paid`] } }]);
	});
});
