import { headers as natsHeaders } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { NatsRequestTrigger } from '../../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';
import { eventually, fakeTrigger } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { expectMatchesSchema, triggerSchemaFile } from '../../helpers/outputSchemas';
import { triggerSuite } from '../trigger/harness';

/** The triggers' items match their output schemas: the JetStream Trigger's and the NATS Request Trigger's. */

const suite = triggerSuite('schemas-triggers', 'OUTT');

describe('JetStream Trigger items', () => {
	it('match the schema: JSON, text and binary payloads, IDs and schema violations present and absent, repeated headers, a redelivery', async () => {
		let failedOnce = false;
		const schemaJson = JSON.stringify({ type: 'object', required: ['orderId'] });
		const trigger = await suite.start(uniqueName('d'), {
			params: { schemaSource: 'inline', schemaJson, schemaViolation: 'passOn' },
			script: (e) => {
				if (!failedOnce && e.items[0].json.payload === 'retry me') {
					failedOnce = true;
					return 'fail';
				}
				return 'succeed';
			},
		});
		await suite.stream.publish(1, () => JSON.stringify({ orderId: 'A' }), { 'Nats-Msg-Id': 'order-A', 'X-Correlation-Id': 'c-1', 'X-Many': ['1', '2'] });
		await suite.stream.publish(1, () => 'retry me');
		await suite.stream.publish(1, () => new Uint8Array([0xff, 0x00]));
		await eventually(() => trigger.fake.items().length >= 4, 10_000, 'four items, one a redelivery');
		const items = trigger.fake.items();
		expect(items.some((i) => i.json.deliveryCount === 2)).toBe(true);
		expect(items[0].json).toMatchObject({ messageId: 'order-A', correlationId: 'c-1', ifExecutionFails: 'retry', maxDeliveries: 10 });
		expect(items[0].json.schemaViolations).toBeUndefined();
		expect(items[1].json.schemaViolations).toHaveLength(1);
		expectMatchesSchema(triggerSchemaFile('JetStreamTrigger'), items);
	});

	it('match the schema in a test run, which promises nothing about a failure', async () => {
		const trigger = await suite.start(uniqueName('d'), { mode: 'manual' });
		await suite.stream.publish(1, () => JSON.stringify({ total: 1 }));
		await eventually(() => trigger.fake.items().length >= 1, 10_000, 'the test run\'s item');
		const [item] = trigger.fake.items();
		expect(item.json.ifExecutionFails).toBeUndefined();
		expectMatchesSchema(triggerSchemaFile('JetStreamTrigger'), [item]);
	});
});

describe('NATS Request Trigger items', () => {
	const open: ITriggerResponse[] = [];
	afterEach(async () => {
		await Promise.all(open.splice(0).map(async (t) => await t.closeFunction?.()));
	});

	it('match the schema: a request with headers, and a message published without a reply subject', async () => {
		const subject = `svc.${uniqueName('q').toLowerCase()}`;
		const fake = fakeTrigger({
			params: { subject, queueGroup: 'n8n', replyWith: 'firstItem' },
			credentials: { servers: suite.server.url, authType: 'none' },
			script: () => ({ output: [{ ok: true }] }),
			nodeName: 'NATS Request Trigger',
		});
		open.push(await new NatsRequestTrigger().trigger.call(fake.context));
		const nc = suite.stream.nc;
		const h = natsHeaders();
		h.set('X-Correlation-Id', 'c-9');
		await nc.request(subject, JSON.stringify({ sku: 'a' }), { timeout: 3000, headers: h });
		nc.publish(subject, 'no reply wanted');
		await eventually(() => fake.items().length >= 2, 5_000, 'two items');
		expect(fake.items().map((i) => i.json.expectsReply)).toEqual([true, false]);
		expectMatchesSchema(triggerSchemaFile('NatsRequestTrigger'), fake.items());
	});
});
