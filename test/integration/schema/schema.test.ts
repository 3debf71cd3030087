import { jetstream, type StoredMsg } from '@nats-io/jetstream';

import { resolveSchema, SchemaRegistry, validatorForMessage } from '../../../nodes/shared/schema';
import { connectionPool, parseCredentials } from '../../../nodes/shared/transport';
import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { json, messageSuite } from '../message/harness';
import { activate } from '../trigger/harness';

/** Schema registry, validation on publish and on consume, against a real nats-server. */

const suite = messageSuite('schema');
const v1 = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' }, total: { type: 'number' } } };
const v2 = { type: 'object', required: ['orderId'], properties: { orderId: { type: 'string' }, total: { type: 'number' }, currency: { type: 'string' } } };
const run = async (params: Record<string, unknown>, items?: Array<{ json: Record<string, unknown> }>, continueOnFail = false) =>
	json((await suite.run({ resource: 'schema', ...params }, items as never, continueOnFail)).out);

async function withClient<T>(fn: (client: Awaited<ReturnType<typeof connectionPool.acquire>>['client']) => Promise<T>): Promise<T> {
	const lease = await connectionPool.acquire(parseCredentials({ servers: suite.server.url, authType: 'none' }), { debug() {}, info() {}, warn() {}, error() {} } as never);
	try {
		return await fn(lease.client);
	} finally {
		lease.release();
	}
}

describe('schema registry (Schema resource)', () => {
	it('registers versions, gets latest and @1, lists, refuses a breaking change with reasons, deletes a version', async () => {
		const bucket = uniqueName('reg').toLowerCase();
		const name = 'order.created';
		expect(await run({ operation: 'register', schemaName: name, schemaDocument: JSON.stringify(v1), registryBucket: bucket })).toMatchObject([{ name, version: 1, ref: 'order.created@1' }]);
		expect(await run({ operation: 'register', schemaName: name, schemaDocument: JSON.stringify(v2), registryBucket: bucket })).toMatchObject([{ version: 2 }]);
		expect(await run({ operation: 'get', schemaName: name, schemaVersion: 0, registryBucket: bucket })).toMatchObject([{ version: 2, latest: 2, compatibility: 'backward', schema: v2 }]);
		expect(await run({ operation: 'get', schemaName: name, schemaVersion: 1, registryBucket: bucket })).toMatchObject([{ version: 1, schema: v1 }]);

		const breaking = { ...v2, required: ['orderId', 'currency'], properties: { ...v2.properties, orderId: { type: 'integer' } } };
		await expect(run({ operation: 'register', schemaName: name, schemaDocument: JSON.stringify(breaking), registryBucket: bucket })).rejects.toThrow(
			/breaks backward compatibility: backward: field `currency` became required; backward: type of `orderId` changed from string to integer/,
		);
		await run({ operation: 'setCompatibility', schemaName: name, compatibility: 'none', registryBucket: bucket });
		expect(await run({ operation: 'register', schemaName: name, schemaDocument: JSON.stringify(breaking), registryBucket: bucket })).toMatchObject([{ version: 3 }]);

		expect(await run({ operation: 'getAll', registryBucket: bucket })).toEqual([{ name, versions: [1, 2, 3], latest: 3, compatibility: 'none' }]);
		await run({ operation: 'deleteVersion', schemaName: name, schemaVersion: 3, registryBucket: bucket });
		expect(await run({ operation: 'getAll', registryBucket: bucket })).toMatchObject([{ versions: [1, 2], latest: 2 }]);
		expect(await run({ operation: 'register', schemaName: name, schemaDocument: JSON.stringify(v2), registryBucket: bucket })).toMatchObject([{ version: 4 }]);
		await expect(run({ operation: 'get', schemaName: name, schemaVersion: 3, registryBucket: bucket })).rejects.toThrow(/"order\.created@3" is not registered/);
	});

	it('gives concurrent registrations distinct versions', async () => {
		const bucket = uniqueName('reg').toLowerCase();
		const versions = await withClient(async (client) => {
			const registry = await SchemaRegistry.open(client, bucket, true);
			await registry.setCompatibility('race', 'none');
			const results = await Promise.all(Array.from({ length: 6 }, (_, n) => registry.register('race', { type: 'object', description: `v${n}` })));
			return results.map((r) => r.version).sort((a, b) => a - b);
		});
		expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
	});

	it('validates a message that claims order.created@1 against v1 although v2 is latest', async () => {
		const bucket = uniqueName('reg').toLowerCase();
		await withClient(async (client) => {
			const registry = await SchemaRegistry.open(client, bucket, true);
			await registry.setCompatibility('order.created', 'none');
			await registry.register('order.created', { type: 'object', required: ['a'] });
			await registry.register('order.created', { type: 'object', required: ['b'] });
			const configured = await resolveSchema(client, { kind: 'registry', ref: 'order.created', bucket });
			const chosen = await validatorForMessage(client, { 'Nats-Schema': 'order.created@1' }, configured!, bucket);
			expect(chosen.headerValue).toBe('order.created@1');
			expect(chosen.validate({ a: 1 })).toEqual([]);
			expect(chosen.validate({ b: 1 })).toHaveLength(1);
		});
	});

	it('Validate returns valid: false with the violations instead of failing', async () => {
		const out = await run({ operation: 'validate', schemaSource: 'inline', schemaJson: JSON.stringify(v1) }, [{ json: { orderId: 'A' } }, { json: { total: 'x' } }]);
		expect(out.map((o) => o.valid)).toEqual([true, false]);
		expect((out[1].violations as Array<{ message: string }>).map((v) => v.message)).toEqual(['field `orderId` is missing', '`total` must be number, but is a string ("x")']);
	});
});

describe('validation on publish', () => {
	it('refuses an invalid item with every violation, publishes valid ones with the Nats-Schema header', async () => {
		const bucket = uniqueName('reg').toLowerCase();
		await run({ operation: 'register', schemaName: 'order.created', schemaDocument: JSON.stringify(v1), registryBucket: bucket });
		const publish = { resource: 'message', operation: 'publish', subject: `${suite.prefix}created`, schemaSource: 'registry', schemaRef: 'order.created', schemaBucket: bucket };
		const { out } = await suite.run(publish, [{ json: { orderId: 'A', total: 5 } }, { json: { total: 'five' } }], true);
		expect(out[0].json).toMatchObject({ sequence: 1 });
		expect(out[1].json.error).toBe('Item 2 does not match the schema order.created@1: field `orderId` is missing; `total` must be number, but is a string ("five")');
		const stored = (await suite.stored(1)) as StoredMsg;
		expect(stored.header.get('Nats-Schema')).toBe('order.created@1');
		expect((await suite.jsm.streams.info(suite.stream)).state.messages).toBe(1);
	});
});

describe('validation on consume', () => {
	it('dead-letters an invalid message as schema-invalid, or passes it on with the violations', async () => {
		const stream = {
			name: suite.stream,
			subject: `${suite.prefix}created`,
			nc: suite.nc,
			jsm: suite.jsm,
			publish: async () => undefined,
			consumer: (d: string) => suite.jsm.consumers.info(suite.stream, d),
			close: async () => undefined,
		};
		const js = jetstream(suite.nc);
		await js.publish(stream.subject, JSON.stringify({ orderId: 'ok' }));
		await js.publish(stream.subject, JSON.stringify({ total: 1 }));
		const strict = await activate(suite.server, stream, uniqueName('d'), { params: { schemaSource: 'inline', schemaJson: JSON.stringify(v1) } });
		try {
			await eventually(async () => ((await suite.jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0) === 1, 5_000, 'dead letter');
			expect(strict.fake.emissions).toHaveLength(1);
			const copy = (await suite.jsm.streams.getMessage('DLQ', { seq: 1 })) as StoredMsg;
			expect(copy.header.get('X-Dlq-Reason')).toBe('schema-invalid');
			expect(copy.header.get('X-Dlq-Error')).toMatch(/does not match the trigger's schema: field `orderId` is missing/);
		} finally {
			await strict.close();
			await suite.jsm.streams.delete('DLQ');
		}
		const lenient = await activate(suite.server, stream, uniqueName('d'), { params: { schemaSource: 'inline', schemaJson: JSON.stringify(v1), schemaViolation: 'passOn' } });
		try {
			await eventually(() => lenient.fake.emissions.length === 2, 5_000, 'both messages');
			expect(lenient.fake.items()[0].json.schemaViolations).toBeUndefined();
			expect(lenient.fake.items()[1].json.schemaViolations).toEqual([{ path: '/', rule: 'required', message: 'field `orderId` is missing' }]);
		} finally {
			await lenient.close();
			await suite.jsm.streams.delete('DLQ').catch(() => false);
		}
	});
});
