import type { StoredMsg } from '@nats-io/jetstream';

import { SchemaRegistry } from '../../../nodes/shared/schema';
import { createClient, type NatsClient } from '../../../nodes/shared/transport/client';
import { parseCredentials } from '../../../nodes/shared/transport/credentials';
import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { pause, triggerSuite } from './harness';

/** The trigger's schema check: which schema a producer may pick, and a registry that is down. */

const suite = triggerSuite('trigger-schema', 'TSCHEMA');

const needsA = { type: 'object', required: ['a'] };
const needsB = { type: 'object', required: ['b'] };

function testClient(): NatsClient {
	return createClient(suite.stream.nc, parseCredentials({ servers: suite.server.url, authType: 'none' }));
}

/** order.created v1 needs `a`, v2 (latest) needs `b`; `lax` accepts anything. */
async function registry(bucket: string): Promise<void> {
	const reg = await SchemaRegistry.open(testClient(), bucket, true);
	await reg.setCompatibility('order.created', 'none');
	await reg.register('order.created', needsA);
	await reg.register('order.created', needsB);
	await reg.register('lax', { type: 'object' });
}

const dlq = async () => (await suite.stream.jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0;

describe('JetStream Trigger schema check', () => {
	it('lets a producer pick another version of the trigger\'s schema, never another schema', async () => {
		const bucket = uniqueName('reg').toLowerCase();
		await registry(bucket);
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, { params: { schemaSource: 'registry', schemaRef: 'order.created', schemaBucket: bucket } });
		// Valid for "lax", but the trigger checks its own schema (latest: needs b): dead-lettered.
		await suite.stream.publish(1, () => JSON.stringify({ a: 1 }), { 'Nats-Schema': 'lax@1' });
		// A version of the trigger's own schema: checked against v1 (needs a), valid.
		await suite.stream.publish(1, () => JSON.stringify({ a: 1 }), { 'Nats-Schema': 'order.created@1' });
		await suite.stream.publish(1, () => JSON.stringify({ b: 1 }));
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === 3, 5_000, 'all three answered');
		expect(trigger.fake.items().map((i) => Number(i.json.streamSequence)).sort()).toEqual([2, 3]);
		expect(await dlq()).toBe(1);
		const copy = (await suite.stream.jsm.streams.getMessage('DLQ', { seq: 1 })) as StoredMsg;
		expect(copy.header.get('X-Dlq-Reason')).toBe('schema-invalid');
		expect(copy.header.get('X-Dlq-Error')).toMatch(/does not match order\.created@2: field `b` is missing/);
	});

	it('waits while the registry cannot be reached instead of calling the message invalid, then checks it', async () => {
		const bucket = uniqueName('reg').toLowerCase();
		await registry(bucket);
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { schemaSource: 'registry', schemaRef: 'order.created', schemaBucket: bucket },
			options: { retryDelay: 0.2 },
		});
		await suite.stream.jsm.streams.delete(`KV_${bucket}`);
		await suite.stream.publish(1, () => JSON.stringify({ a: 1 }), { 'Nats-Schema': 'order.created@1' });
		await eventually(() => trigger.fake.logs.some((l) => l.level === 'warn' && /schema registry cannot be reached/.test(l.message)), 10_000, 'the outage reported');
		await pause(1_500);
		expect(trigger.fake.emissions).toHaveLength(0);
		expect(await dlq()).toBe(0);
		expect((await suite.stream.consumer(durable)).delivered.consumer_seq).toBe(1);
		await registry(bucket);
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq === 1, 30_000, 'checked and run once the registry is back');
		expect(trigger.fake.items().map((i) => i.json.deliveryCount)).toEqual([1]);
		expect(await dlq()).toBe(0);
	}, 45_000);
});
