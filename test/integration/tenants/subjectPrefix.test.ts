import { processedBucketName } from '../../../nodes/shared/idempotency';
import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { activate, pause, type TestStream } from '../trigger/harness';
import { listed, tenantSuite } from './harness';

/**
 * The credential's Subject Prefix (issue 25) in an account two tenants share: names outside it are
 * refused before anything reaches the server, names under it work, and default settings work.
 */

const suite = tenantSuite('tenants-prefix');
const PREFIX = 'tenant-a.';
const tenantA = () => suite.credentials('SHARED', { subjectPrefix: PREFIX });
const admin = () => suite.admin('SHARED').jsm;

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
	for (const step of cleanups.splice(0).reverse()) await step();
});

/** A stream of each tenant in the shared account: `TENANT_A_…` on `tenant-a.…`, `TENANT_B_…` on `tenant-b.…`. */
async function streams(): Promise<{ own: { name: string; root: string }; other: { name: string; root: string } }> {
	const id = uniqueName('ORDERS');
	const own = { name: `TENANT_A_${id}`, root: `tenant-a.${id.toLowerCase()}` };
	const other = { name: `TENANT_B_${id}`, root: `tenant-b.${id.toLowerCase()}` };
	for (const s of [own, other]) {
		await admin().streams.add({ name: s.name, subjects: [`${s.root}.>`] });
		cleanups.push(() => admin().streams.delete(s.name));
	}
	return { own, other };
}

/** Every message published in the shared account (a test-side subscription to ">"), JetStream API requests included. */
async function wiretap(): Promise<{ seen: Array<{ subject: string; data: string }>; clear(): void }> {
	const { nc } = suite.admin('SHARED');
	const seen: Array<{ subject: string; data: string }> = [];
	const sub = nc.subscribe('>', { callback: (_error, msg) => {
			seen.push({ subject: msg.subject, data: msg.string() });
		} });
	await nc.flush();
	cleanups.push(async () => sub.unsubscribe());
	return { seen, clear: () => seen.splice(0) };
}

const consumerParams = (stream: string, filterSubjects = '') => ({
	resource: 'consumer',
	operation: 'create',
	stream,
	consumerName: 'billing',
	filterSubjects,
	deliverPolicy: 'all',
	ackWaitSeconds: 30,
	maxDeliver: 5,
	backoff: '',
	maxAckPending: 1000,
	consumerDescription: '',
});

describe('Subject Prefix', () => {
	it('refuses subjects, streams, filters and buckets outside it before anything is sent', async () => {
		const { own, other } = await streams();
		const tap = await wiretap();
		const [stored] = await suite.run(tenantA(), { resource: 'message', operation: 'publish', subject: `${own.root}.created` });
		expect(stored).toMatchObject({ stream: own.name, sequence: 1 });
		await suite.run(tenantA(), { resource: 'stream', operation: 'get', stream: own.name });
		await suite.admin('SHARED').nc.flush();
		// The tap sees what the credential sends, API requests included.
		expect(tap.seen.map((m) => m.subject)).toEqual(expect.arrayContaining([`${own.root}.created`, `$JS.API.STREAM.INFO.${own.name}`]));
		const suffix = own.name.slice(-6);
		// [parameters, the refused value, the message]
		const refusals: Array<[Record<string, unknown>, string, RegExp]> = [
			[{ resource: 'message', operation: 'publish', subject: `${other.root}.created` }, other.root, /The subject "tenant-b\..*" is outside the Subject Prefix "tenant-a\."/],
			[{ resource: 'stream', operation: 'get', stream: other.name }, other.name, /The stream "TENANT_B_.*" is outside/],
			[{ resource: 'stream', operation: 'create', stream: `TENANT_A_NEW_${suffix}`, streamSubjects: `orders-${suffix}.>`, streamOptions: {} }, `orders-${suffix}`, /The stream subject "orders-.*" is outside/],
			[{ resource: 'stream', operation: 'create', stream: `ORDERS_${suffix}`, streamSubjects: `${own.root}x.>`, streamOptions: {} }, `ORDERS_${suffix}`, /The stream "ORDERS_.*" is outside/],
			[consumerParams(other.name), other.name, /The stream "TENANT_B_.*" is outside/],
			[consumerParams(own.name, `${other.root}.created`), other.root, /The filter subject "tenant-b\..*" is outside/],
			[{ resource: 'keyValue', operation: 'create', kvBucket: `config_${suffix}`, kvKey: 'k', kvValueFrom: 'text', kvValueText: 'v', kvCreateOptions: {} }, `config_${suffix}`, /The key-value bucket "config_.*" is outside/],
		];
		for (const [params, value, message] of refusals) {
			tap.clear();
			const error = await suite.run(tenantA(), params).then(
				() => undefined,
				(e: Error) => e,
			);
			expect(error?.message).toMatch(message);
			expect(error?.message).toMatch(/nothing was sent/);
			expect((error as { description?: string })?.description).toMatch(/tenant-a/);
			await pause(100);
			await suite.admin('SHARED').nc.flush();
			expect(tap.seen.filter((m) => m.subject.includes(value) || m.data.includes(value))).toEqual([]);
		}
		expect(await admin().consumers.info(other.name, 'billing').catch(() => undefined)).toBeUndefined();
		expect(await admin().consumers.info(own.name, 'billing').catch(() => undefined)).toBeUndefined();
	});

	it('refuses a trigger on another tenant\'s stream, and lists only its own streams in the pickers', async () => {
		const { own, other } = await streams();
		const activation = activate(suite.server, { name: other.name } as TestStream, 'billing', { credentials: tenantA() });
		// Activation errors quote with curly quotes.
		await expect(activation).rejects.toThrow(/The stream .TENANT_B_.*. is outside the Subject Prefix .tenant-a\.. of the NATS credential; nothing was sent/);
		expect((await admin().streams.info(other.name)).state.consumer_count).toBe(0);

		const shown = listed(await suite.search(tenantA(), 'searchStreams'));
		expect(shown).toContain(own.name);
		expect(shown).not.toContain(other.name);
		const everything = listed(await suite.search(suite.credentials('SHARED'), 'searchStreams'));
		expect(everything).toEqual(expect.arrayContaining([own.name, other.name]));
		const listedByNode = await suite.run(tenantA(), { resource: 'stream', operation: 'getAll', returnAll: true, listSubject: '' });
		expect(listedByNode.map((s) => s.name)).toContain(own.name);
		expect(listedByNode.map((s) => s.name)).not.toContain(other.name);

		// Buckets likewise: the picker and Key-Value → Get Many Buckets.
		const suffix = own.name.slice(-6).toLowerCase();
		const buckets = { own: `tenant-a_cfg_${suffix}`, other: `tenant-b_cfg_${suffix}` };
		for (const bucket of Object.values(buckets)) {
			await suite.run(suite.credentials('SHARED'), { resource: 'keyValue', operation: 'createBucket', kvBucket: bucket, kvHistory: 1, kvTtlSeconds: 0, kvBucketOptions: {} });
			cleanups.push(() => admin().streams.delete(`KV_${bucket}`));
		}
		expect(listed(await suite.search(tenantA(), 'searchBuckets'))).toEqual([buckets.own]);
		const bucketsByNode = (await suite.run(tenantA(), { resource: 'keyValue', operation: 'getAllBuckets', returnAll: true })).map((b) => b.bucket);
		expect(bucketsByNode).toEqual([buckets.own]);
	});

	it('works with default settings: dead letters, idempotency bucket and the Dead Letter operations go under the prefix', async () => {
		const { own } = await streams();
		const durable = 'billing';
		cleanups.push(async () => {
			await admin().streams.delete('tenant-a_DLQ').catch(() => false);
			await admin().streams.delete(`KV_${bucket}`).catch(() => false);
		});
		const bucket = `tenant-a_${processedBucketName(own.name, durable)}`;
		const trigger = await activate(suite.server, { name: own.name } as TestStream, durable, {
			credentials: tenantA(),
			params: { maxDeliver: 2, idempotency: 'messageId' },
			options: { statsInterval: 5 },
			script: () => ({ failWith: 'refused' }),
		});
		cleanups.push(() => trigger.close());
		await suite.run(tenantA(), { resource: 'message', operation: 'publish', subject: `${own.root}.created` }, [{ json: { n: 1 } }]);
		await eventually(async () => (await admin().streams.info('tenant-a_DLQ').then((i) => i.state.messages, () => 0)) === 1, 15_000, 'the dead letter');
		const info = await admin().streams.info('tenant-a_DLQ');
		expect(info.config.subjects).toEqual(['tenant-a.dlq.>']);
		expect((await admin().streams.getMessage('tenant-a_DLQ', { seq: 1 }))?.subject).toBe(`tenant-a.dlq.${own.name}.${durable}`);
		expect((await admin().streams.info(`KV_${bucket}`)).config.name).toBe(`KV_${bucket}`);
		await expect(admin().streams.info('DLQ')).rejects.toThrow(/stream not found/);

		// The Dead Letter operations' default stream "DLQ" means the tenant's own.
		const records = await suite.run(tenantA(), { resource: 'deadLetter', operation: 'getAll', dlqStream: 'DLQ', limit: 50, filters: {} });
		expect(records).toHaveLength(1);
		expect(records[0]).toMatchObject({ dlqStream: 'tenant-a_DLQ' });
		expect(listed(await suite.search(tenantA(), 'searchDeadLetterStreams'))[0]).toBe('tenant-a_DLQ');

		// So are the statistics bucket (written every 5 s here) and the schema registry's default bucket.
		cleanups.push(() => admin().streams.delete('KV_tenant-a_n8n_jetstream_stats').catch(() => false));
		await eventually(() => admin().streams.info('KV_tenant-a_n8n_jetstream_stats').then(() => true, () => false), 12_000, 'the statistics bucket');
		await expect(admin().streams.info('KV_n8n_jetstream_stats')).rejects.toThrow(/stream not found/);
		cleanups.push(() => admin().streams.delete('KV_tenant-a_n8n_schemas').catch(() => false));
		const schema = JSON.stringify({ type: 'object', required: ['n'] });
		await suite.run(tenantA(), { resource: 'schema', operation: 'register', schemaName: 'order', schemaDocument: schema, registryBucket: 'n8n_schemas' });
		expect((await admin().streams.info('KV_tenant-a_n8n_schemas')).config.name).toBe('KV_tenant-a_n8n_schemas');
		const [checked] = await suite.run(tenantA(), { resource: 'schema', operation: 'validate', schemaSource: 'registry', schemaRef: 'order', schemaBucket: 'n8n_schemas' }, [{ json: { n: 1 } }]);
		expect(checked.valid).toBe(true);
	});
});
