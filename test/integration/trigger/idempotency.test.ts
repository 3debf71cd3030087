import { Kvm } from '@nats-io/kv';
import { jetstream } from '@nats-io/jetstream';

import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { activate, pause, triggerSuite, type ActiveTrigger } from './harness';

/** Consumer-side idempotency of the trigger (issue 5) against a real nats-server. */

const suite = triggerSuite('trigger-idempotency', 'TIDEM');

const byOrderId = { idempotency: 'payloadField', idempotencyField: '{{ $json.orderId }}' };
const order = (orderId: string) => () => JSON.stringify({ orderId });
const orderIds = (t: ActiveTrigger) => t.fake.items().map((i) => (i.json.payload as { orderId: string }).orderId);

async function startKeyed(durable: string, extra: Parameters<typeof activate>[3] = {}): Promise<ActiveTrigger> {
	return await suite.start(durable, { ...extra, params: { ...byOrderId, ...extra.params } });
}

async function ackFloor(durable: string, seq: number, what: string): Promise<void> {
	await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq >= seq, 10_000, what);
}

describe('JetStream Trigger idempotency', () => {
	it('runs a key once across a trigger restart; the duplicate is acknowledged and skipped', async () => {
		const durable = uniqueName('d');
		const first = await startKeyed(durable);
		await suite.stream.publish(1, order('A-1'));
		await ackFloor(durable, 1, 'first message acknowledged');
		await first.close();

		const second = await startKeyed(durable);
		await suite.stream.publish(1, order('A-1'));
		await suite.stream.publish(1, order('B-2'));
		await ackFloor(durable, 3, 'all three acknowledged');
		expect(orderIds(first)).toEqual(['A-1']);
		expect(orderIds(second)).toEqual(['B-2']);
		await second.close();
		expect(second.fake.logs.some((l) => /1 duplicate\(s\) skipped/.test(l.message))).toBe(true);
	});

	it('two trigger instances on one durable run each key once', async () => {
		const durable = uniqueName('d');
		const slow = { script: () => ({ succeedAfterMs: 150 }), options: { parallelExecutions: 4 } };
		const a = await startKeyed(durable, slow);
		const b = await startKeyed(durable, slow);
		const keys = Array.from({ length: 12 }, (_, i) => `K-${i}`);
		const js = jetstream(suite.stream.nc);
		// Every key twice, the copies back to back so both instances hold one of them at the same time.
		for (const key of keys) {
			await js.publish(suite.stream.subject, JSON.stringify({ orderId: key }));
			await js.publish(suite.stream.subject, JSON.stringify({ orderId: key }));
		}
		await ackFloor(durable, keys.length * 2, 'every copy acknowledged');
		const processed = [...orderIds(a), ...orderIds(b)].sort();
		expect(processed).toEqual([...keys].sort());
		expect(orderIds(a).length).toBeGreaterThan(0);
		expect(orderIds(b).length).toBeGreaterThan(0);
	});

	it('gives the key back when the execution fails, so the redelivery runs it', async () => {
		const durable = uniqueName('d');
		let calls = 0;
		const t = await startKeyed(durable, { script: () => (++calls === 1 ? 'fail' : 'succeed') });
		await suite.stream.publish(1, order('C-3'));
		await ackFloor(durable, 1, 'acknowledged after the retry');
		expect(orderIds(t)).toEqual(['C-3', 'C-3']);
		const kv = await new Kvm(jetstream(suite.stream.nc)).open(`n8n_processed_${suite.stream.name}_${durable}`);
		const keys: string[] = [];
		for await (const k of await kv.keys()) keys.push(k);
		expect(keys).toHaveLength(1);
		const entry = await kv.get(keys[0]);
		expect(JSON.parse(entry!.string()).state).toBe('processed');
	});

	it('processes a message without the key field, warning once', async () => {
		const durable = uniqueName('d');
		const t = await startKeyed(durable);
		await suite.stream.publish(2, () => JSON.stringify({ other: true }));
		await ackFloor(durable, 2, 'both acknowledged');
		await pause(100);
		expect(t.fake.emissions).toHaveLength(2);
		expect(t.fake.logs.filter((l) => /has no idempotency key/.test(l.message))).toHaveLength(1);
	});

	it('reads the key from a header', async () => {
		const durable = uniqueName('d');
		const t = await suite.start(durable, { params: { idempotency: 'header', idempotencyHeader: 'X-Order-Id' } });
		await suite.stream.publish(1, undefined, { 'X-Order-Id': 'H-1' });
		await suite.stream.publish(1, undefined, { 'X-Order-Id': 'H-1' });
		await ackFloor(durable, 2, 'both acknowledged');
		expect(t.fake.emissions).toHaveLength(1);
	});
});
