import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { NodeApiError } from 'n8n-workflow';

import { SchemaRegistry } from '../../../nodes/shared/schema';
import { KEEPER } from '../../helpers/accountStore';
import { uniqueName } from '../../helpers/natsServer';
import { names, picked, pickerSuite } from './harness';

/** What the "From List" pickers show, for a user who may list everything. */

const suite = pickerSuite('pickers-lists');

/** Streams `<P>_B`, `<P>_A`, `<P>_C` storing `<p>.b.>`, `<p>.a.>`, `<p>.c.>`; returns the prefix. */
async function threeStreams(): Promise<{ prefix: string; subject: string }> {
	const prefix = uniqueName('P');
	const subject = prefix.toLowerCase();
	for (const letter of ['B', 'A', 'C']) {
		await suite.jsm.streams.add({ name: `${prefix}_${letter}`, subjects: [`${subject}.${letter.toLowerCase()}.>`] });
	}
	return { prefix, subject };
}

describe('Stream picker', () => {
	it('lists every stream sorted by name, with the subjects it captures in the name shown and in the description', async () => {
		const { prefix, subject } = await threeStreams();
		const result = await suite.search('searchStreams');
		// Every stream of the account: the three, and the one the suite keeps so the account is never empty.
		expect(names(result)).toEqual([KEEPER, `${prefix}_A`, `${prefix}_B`, `${prefix}_C`]);
		expect(result.results[1]).toEqual({ name: `${prefix}_A (${subject}.a.>)`, value: `${prefix}_A`, description: `${subject}.a.>` });
	});

	it('shows three subjects in the name and counts the others', async () => {
		const stream = uniqueName('MANY');
		const subject = stream.toLowerCase();
		await suite.jsm.streams.add({ name: stream, subjects: ['a', 'b', 'c', 'd', 'e'].map((t) => `${subject}.${t}`) });
		const [item] = (await suite.search('searchStreams', { filter: stream })).results;
		expect(item.name).toBe(`${stream} (${subject}.a, ${subject}.b, ${subject}.c +2 more)`);
		expect(item.value).toBe(stream);
	});

	it('filters by a part of the name or of a subject, ignoring case', async () => {
		const { prefix, subject } = await threeStreams();
		await suite.jsm.streams.add({ name: uniqueName('OTHER'), subjects: [uniqueName('other').toLowerCase()] });
		expect(names(await suite.search('searchStreams', { filter: `${prefix.toLowerCase()}_b` }))).toEqual([`${prefix}_B`]);
		expect(names(await suite.search('searchStreams', { filter: `${subject}.C.` }))).toEqual([`${prefix}_C`]);
		expect(names(await suite.search('searchStreams', { filter: prefix }))).toHaveLength(3);
		expect(await suite.search('searchStreams', { filter: 'matches-nothing-at-all' })).toEqual({ results: [] });
	});

	it('is the same list in the JetStream Trigger', async () => {
		const { prefix } = await threeStreams();
		expect(names(await suite.search('searchStreams', { node: 'trigger', filter: prefix }))).toEqual([`${prefix}_A`, `${prefix}_B`, `${prefix}_C`]);
	});
});

describe('Consumer picker', () => {
	async function streamWithConsumers(): Promise<string> {
		const stream = uniqueName('S');
		await suite.jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
		await suite.jsm.consumers.add(stream, { durable_name: 'shipping', filter_subject: `${stream.toLowerCase()}.shipped`, description: 'ships' });
		await suite.jsm.consumers.add(stream, { durable_name: 'billing' });
		return stream;
	}

	it('lists the consumers of the chosen stream, sorted, with their filter subjects; no ephemeral one', async () => {
		const stream = await streamWithConsumers();
		// What a trigger's test run makes: it goes away by itself, so nobody should bind to it.
		await suite.jsm.consumers.add(stream, { name: 'test-run', inactive_threshold: 60_000_000_000 });
		const other = uniqueName('S');
		await suite.jsm.streams.add({ name: other, subjects: [`${other.toLowerCase()}.>`] });
		await suite.jsm.consumers.add(other, { durable_name: 'elsewhere' });

		const result = await suite.search('searchConsumers', { params: { stream: picked(stream) } });
		expect(result.results).toEqual([
			{ name: 'billing', value: 'billing' },
			{ name: 'shipping', value: 'shipping', description: `${stream.toLowerCase()}.shipped · ships` },
		]);
		expect(names(await suite.search('searchConsumers', { params: { stream: picked(stream) }, filter: 'SHIP' }))).toEqual(['shipping']);
	});

	it('reads the stream typed by name, and a plain name from a workflow saved before the pickers', async () => {
		const stream = await streamWithConsumers();
		expect(names(await suite.search('searchConsumers', { params: { stream: picked(stream, 'name') } }))).toEqual(['billing', 'shipping']);
		expect(names(await suite.search('searchConsumers', { params: { stream } }))).toEqual(['billing', 'shipping']);
	});

	it("lists the trigger's consumers to bind to", async () => {
		const stream = await streamWithConsumers();
		const params = { stream: picked(stream), consumerMode: 'bind', durableName: picked('') };
		expect(names(await suite.search('searchConsumers', { node: 'trigger', params }))).toEqual(['billing', 'shipping']);
	});

	it('asks for the stream first, and says an expression cannot be listed', async () => {
		const empty = await suite.refusal('searchConsumers', { params: { stream: picked('') } });
		expect(empty.error).toBeInstanceOf(NodeApiError);
		expect(empty.error.message).toBe('Choose the Stream first: the list shows what it holds');
		expect(empty.error.description).toBe('Or choose "By Name" and type the consumer name');

		const expression = await suite.refusal('searchConsumers', { params: { stream: picked('={{ $json.stream }}', 'name') } });
		expect(expression.error.message).toBe('Stream is an expression, so the list cannot tell which one to read');
		expect(expression.error.description).toMatch(/"By Name"/);
	});

	it('says when the chosen stream does not exist', async () => {
		const missing = uniqueName('GONE');
		const { error } = await suite.refusal('searchConsumers', { params: { stream: picked(missing) } });
		expect(error.message).toBe(`Stream "${missing}" does not exist`);
		expect(error.description).toMatch(/^Check the name \(Stream → Get Many lists the streams\), or create the stream with a JetStream node set to Stream → Create or Update/);
	});
});

describe('Key-value bucket picker', () => {
	it('lists buckets by their own name (without KV_), and no other stream', async () => {
		const { prefix } = await threeStreams();
		const kvm = new Kvm(suite.admin);
		await kvm.create(`${prefix.toLowerCase()}_state`, { description: 'order state' });
		await kvm.create(`${prefix.toLowerCase()}_cache`);
		const result = await suite.search('searchBuckets', { filter: prefix });
		expect(result.results).toEqual([
			{ name: `${prefix.toLowerCase()}_cache`, value: `${prefix.toLowerCase()}_cache` },
			{ name: `${prefix.toLowerCase()}_state`, value: `${prefix.toLowerCase()}_state`, description: 'order state' },
		]);
	});
});

describe('Object store bucket picker', () => {
	it('lists object store buckets by their own name (without OBJ_), and no other stream or key-value bucket', async () => {
		const { prefix } = await threeStreams();
		const objm = new Objm(suite.admin);
		await objm.create(`${prefix.toLowerCase()}_scans`, { description: 'scanned invoices' });
		await objm.create(`${prefix.toLowerCase()}_exports`);
		await new Kvm(suite.admin).create(`${prefix.toLowerCase()}_kv`);
		const result = await suite.search('searchObjectBuckets', { filter: prefix });
		expect(result.results).toEqual([
			{ name: `${prefix.toLowerCase()}_exports`, value: `${prefix.toLowerCase()}_exports` },
			{ name: `${prefix.toLowerCase()}_scans`, value: `${prefix.toLowerCase()}_scans`, description: 'scanned invoices' },
		]);
	});
});

describe('Dead-letter stream picker', () => {
	it('lists streams that store dead-letter subjects first, and no bucket', async () => {
		const { prefix } = await threeStreams();
		await suite.jsm.streams.add({ name: `${prefix}_Z_DLQ`, subjects: [`dlq.${prefix.toLowerCase()}.>`] });
		await new Kvm(suite.admin).create(`${prefix}_bucket`);
		await new Objm(suite.admin).create(`${prefix}_files`);
		const result = await suite.search('searchDeadLetterStreams', { filter: prefix });
		expect(names(result)).toEqual([`${prefix}_Z_DLQ`, `${prefix}_A`, `${prefix}_B`, `${prefix}_C`]);
		expect(names(await suite.search('searchDeadLetterStreams', { node: 'trigger', filter: prefix }))).toEqual(names(result));
	});
});

describe('Schema picker', () => {
	it('lists the schemas of the Registry Bucket on screen, with their versions', async () => {
		const bucket = uniqueName('reg').toLowerCase();
		const registry = await SchemaRegistry.open(suite.client, bucket, true);
		await registry.register('order.created', { type: 'object' });
		await registry.register('order.created', { type: 'object', properties: { id: { type: 'string' } } });
		await registry.register('customer.updated', { type: 'object' });
		const result = await suite.search('searchSchemas', { params: { registryBucket: bucket } });
		expect(result.results).toEqual([
			{ name: 'customer.updated', value: 'customer.updated', description: 'versions 1, latest 1, backward compatibility' },
			{ name: 'order.created', value: 'order.created', description: 'versions 1, 2, latest 2, backward compatibility' },
		]);
		expect(names(await suite.search('searchSchemas', { params: { registryBucket: bucket }, filter: 'ORDER' }))).toEqual(['order.created']);
	});

	it('shows no schemas while the registry bucket does not exist yet (the first Register creates it)', async () => {
		const bucket = uniqueName('noreg').toLowerCase();
		const { results } = await suite.search('searchSchemas', { params: { registryBucket: bucket } });
		expect(results.map((r) => [r.name, r.value])).toEqual([
			[`No schemas in bucket "${bucket}" yet`, false],
			['Register one with a JetStream node: Schema → Register Version', true],
		]);
	});
});
