import { Kvm } from '@nats-io/kv';
import { jetstream } from '@nats-io/jetstream';

import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { activate, pause, sequences, triggerSuite, type ActiveTrigger } from './harness';

/** Consumer-side idempotency of the trigger (issue 5) against a real nats-server. */

const suite = triggerSuite('trigger-idempotency', 'TIDEM');

const byOrderId = { idempotency: 'payloadField', idempotencyField: '{{ $json.orderId }}' };
const order = (orderId: string) => () => JSON.stringify({ orderId });
const orderIds = (t: ActiveTrigger) => t.fake.items().map((i) => (i.json.payload as { orderId: string }).orderId);

async function startKeyed(durable: string, extra: Parameters<typeof activate>[3] = {}): Promise<ActiveTrigger> {
	return await suite.start(durable, { ...extra, params: { ...byOrderId, ...extra.params } });
}

const bucketOf = (durable: string) => `n8n_processed_${suite.stream.name}_${durable}`;

async function processedState(durable: string, key: string): Promise<string | undefined> {
	const kv = await new Kvm(jetstream(suite.stream.nc)).open(bucketOf(durable));
	const entry = await kv.get(`k.${key}`);
	return entry && entry.operation === 'PUT' ? (JSON.parse(entry.string()) as { state: string }).state : undefined;
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

	it('skips a copy of a key it recorded a moment ago without asking the bucket; a key deleted by hand runs again on a fresh trigger', async () => {
		const durable = uniqueName('d');
		const first = await startKeyed(durable);
		await suite.stream.publish(1, order('R-1'));
		await ackFloor(durable, 1, 'first copy acknowledged');
		expect(await processedState(durable, 'R-1')).toBe('processed');
		const kv = await new Kvm(jetstream(suite.stream.nc)).open(bucketOf(durable));
		await kv.delete('k.R-1');
		// The bucket no longer knows the key; this trigger recorded it a moment ago and skips the copy from memory.
		await suite.stream.publish(1, order('R-1'));
		await ackFloor(durable, 2, 'second copy acknowledged');
		expect(orderIds(first)).toEqual(['R-1']);
		expect(first.fake.logs.some((l) => /idempotency key "R-1" was processed by this trigger a moment ago/.test(l.message))).toBe(true);
		await first.close();
		const second = await startKeyed(durable);
		await suite.stream.publish(1, order('R-1'));
		await ackFloor(durable, 3, 'third copy acknowledged');
		expect(orderIds(second)).toEqual(['R-1']);
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

	it('renews the claim while a long execution runs, so a copy with the same key waits without a slot and is then skipped', async () => {
		const durable = uniqueName('d');
		// A 5 s lease and an 8 s execution: without renewal the copy would take the key over at 5 s.
		const t = await startKeyed(durable, {
			params: { idempotencyOptions: { idempotencyLeaseSeconds: 5 } },
			script: ({ items }) => ((items[0].json.payload as { orderId: string }).orderId === 'LONG' ? { succeedAfterMs: 8_000 } : { succeedAfterMs: 50 }),
			options: { parallelExecutions: 2 },
		});
		await suite.stream.publish(1, order('LONG'));
		await eventually(() => t.fake.emissions.length === 1, 5_000, 'the long execution started');
		await suite.stream.publish(1, order('LONG'));
		await suite.stream.publish(1, order('OTHER'));
		// The copy waits for the key, but not in an execution slot: the other message runs meanwhile.
		await eventually(() => orderIds(t).includes('OTHER'), 3_000, 'the other message, while the copy waits');
		expect(orderIds(t).filter((k) => k === 'LONG')).toHaveLength(1);
		await ackFloor(durable, 3, 'all three acknowledged');
		expect(orderIds(t)).toEqual(['LONG', 'OTHER']);
		expect(await processedState(durable, 'LONG')).toBe('processed');
	}, 20_000);

	it('takes over a key whose claim was left by an instance that stopped, once its lease ends, and not before', async () => {
		const durable = uniqueName('d');
		const kv = await new Kvm(jetstream(suite.stream.nc)).create(bucketOf(durable), { history: 1 });
		await kv.put('k.ORPHAN', JSON.stringify({ state: 'in-progress', owner: 'a-stopped-n8n', at: Date.now(), leaseMs: 4_000 }));
		const t = await startKeyed(durable, { options: { parallelExecutions: 1 } });
		const claimedAt = Date.now();
		await suite.stream.publish(1, order('ORPHAN'));
		await suite.stream.publish(3, (i) => JSON.stringify({ orderId: `FREE-${i}` }));
		// The free keys run at once, on the only slot, while the orphaned one waits out its lease.
		await eventually(() => orderIds(t).filter((k) => k.startsWith('FREE')).length === 3, 3_000, 'the free keys');
		expect(orderIds(t)).not.toContain('ORPHAN');
		await eventually(() => orderIds(t).includes('ORPHAN'), 10_000, 'the orphaned key after its lease');
		expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(3_500);
		await ackFloor(durable, 4, 'all acknowledged');
		expect(orderIds(t).filter((k) => k === 'ORPHAN')).toHaveLength(1);
		expect(await processedState(durable, 'ORPHAN')).toBe('processed');
	}, 20_000);

	it('treats a stored entry it cannot read as not processed, and runs the message', async () => {
		const durable = uniqueName('d');
		const kv = await new Kvm(jetstream(suite.stream.nc)).create(bucketOf(durable), { history: 1 });
		await kv.put('k.SEEDED', 'written by hand');
		const t = await startKeyed(durable);
		await suite.stream.publish(1, order('SEEDED'));
		await ackFloor(durable, 1, 'acknowledged');
		expect(orderIds(t)).toEqual(['SEEDED']);
		expect(await processedState(durable, 'SEEDED')).toBe('processed');
		expect(t.fake.logs.some((l) => l.level === 'warn' && /"SEEDED" .* was not written by this trigger .* counts as not processed/.test(l.message))).toBe(true);
	});

	it('waits while the bucket is unreachable — no run, no skip, no dead letter, no delivery used up — and goes on when it is back', async () => {
		const durable = uniqueName('d');
		const t = await startKeyed(durable, { options: { retryDelay: 0.2 } });
		await suite.stream.jsm.streams.delete(`KV_${bucketOf(durable)}`);
		await suite.stream.publish(2, (i) => JSON.stringify({ orderId: `OUT-${i}` }));
		await eventually(() => t.fake.logs.some((l) => l.level === 'warn' && /idempotency bucket .* cannot be reached/.test(l.message)), 5_000, 'the outage reported');
		await pause(2_500);
		expect(t.fake.emissions).toHaveLength(0);
		const during = await suite.stream.consumer(durable);
		expect(during.delivered.consumer_seq).toBe(2);
		expect(during.num_ack_pending).toBe(2);
		await expect(suite.stream.jsm.streams.info('DLQ').then((i) => i.state.messages)).resolves.toBe(0);
		expect(t.fake.logs.filter((l) => l.level === 'warn' && /cannot be reached/.test(l.message))).toHaveLength(1);
		await new Kvm(jetstream(suite.stream.nc)).create(bucketOf(durable), { history: 1 });
		await ackFloor(durable, 2, 'both acknowledged once the bucket is back');
		expect(orderIds(t).sort()).toEqual(['OUT-1', 'OUT-2']);
		expect(t.fake.items().map((i) => i.json.deliveryCount)).toEqual([1, 1]);
		expect((await suite.stream.consumer(durable)).delivered.consumer_seq).toBe(2);
		expect(t.fake.logs.some((l) => /idempotency bucket .* answers again/.test(l.message))).toBe(true);
	}, 30_000);

	describe('"Later in the Workflow": the key follows the Acknowledge node\'s answer', () => {
		/** What an Acknowledge node does: answers the token and waits for the server's confirmation. */
		const answer = async (token: unknown, payload: string) => {
			await suite.stream.nc.request(String(token), payload, { timeout: 2_000 });
		};

		it('records the key only when the message is acknowledged; Retry Later and Reject leave it unprocessed', async () => {
			const durable = uniqueName('d');
			const t = await startKeyed(durable, {
				params: { ackMode: 'later' },
				script: async ({ items }) => {
					const { orderId } = items[0].json.payload as { orderId: string };
					const delivery = Number(items[0].json.deliveryCount);
					if (orderId === 'ACKED') await answer(items[0].json.ackToken, '+ACK');
					if (orderId === 'RETRIED') await answer(items[0].json.ackToken, delivery === 1 ? '-NAK {"delay": 200000000}' : '+ACK');
					if (orderId === 'REJECTED') await answer(items[0].json.ackToken, '+TERM');
					return 'succeed' as const;
				},
			});
			await suite.stream.publish(1, order('ACKED'));
			await suite.stream.publish(1, order('RETRIED'));
			await suite.stream.publish(1, order('REJECTED'));
			await ackFloor(durable, 3, 'all three answered');
			await eventually(async () => (await processedState(durable, 'RETRIED')) === 'processed', 5_000, 'the retried key recorded after its acknowledgement');
			await eventually(async () => (await processedState(durable, 'ACKED')) === 'processed', 5_000, 'the acknowledged key recorded');
			expect(await processedState(durable, 'REJECTED')).toBeUndefined();
			expect(orderIds(t).sort()).toEqual(['ACKED', 'REJECTED', 'RETRIED', 'RETRIED']);
			// The rejected message was answered by the node: the trigger did not nak it back.
			await pause(500);
			expect(sequences(t.fake).filter((s) => s === 3)).toHaveLength(1);
		});

		it('leaves the key unprocessed and the message to come back when the execution never acknowledged it', async () => {
			const durable = uniqueName('d');
			let runs = 0;
			const t = await startKeyed(durable, {
				params: { ackMode: 'later' },
				script: async ({ items }) => {
					if (++runs === 2) await answer(items[0].json.ackToken, '+ACK');
					return 'succeed' as const;
				},
				options: { retryDelay: 0.2 },
			});
			await suite.stream.publish(1, order('FORGOT'));
			await ackFloor(durable, 1, 'acknowledged on the second run');
			expect(orderIds(t)).toEqual(['FORGOT', 'FORGOT']);
			await eventually(async () => (await processedState(durable, 'FORGOT')) === 'processed', 5_000, 'the key recorded after the acknowledgement');
		});
	});
});
