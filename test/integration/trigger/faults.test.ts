import { AckPolicy, DeliverPolicy, jetstream, type StoredMsg } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { createInbox } from '@nats-io/transport-node';

import { eventually } from '../../helpers/fakeTrigger';
import { serverAtLeast, uniqueName } from '../../helpers/natsServer';
import { pause, sequences, triggerSuite, type ActiveTrigger } from './harness';

/**
 * Fault paths where a trigger used to look active and consume nothing, or quietly broke its "once"
 * promise (issue 21), each against a real nats-server.
 */

const suite = triggerSuite('trigger-faults', 'TFLT');

const byOrderId = { idempotency: 'payloadField', idempotencyField: '{{ $json.orderId }}' };
const order = (orderId: string) => () => JSON.stringify({ orderId });
const orderIds = (t: ActiveTrigger) => t.fake.items().map((i) => (i.json.payload as { orderId: string }).orderId);

async function ackFloor(durable: string, seq: number, what: string): Promise<void> {
	await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq >= seq, 10_000, what);
}

/** Every pull request the server receives for one consumer, seen by a subscriber of its own. */
function countPullRequests(durable: string): { count(): number; stop(): void } {
	let count = 0;
	const sub = suite.stream.nc.subscribe(`$JS.API.CONSUMER.MSG.NEXT.${suite.stream.name}.${durable}`, { callback: () => void count++ });
	return { count: () => count, stop: () => sub.unsubscribe() };
}

async function addDurable(name: string, extra: Record<string, unknown> = {}): Promise<void> {
	await suite.stream.jsm.consumers.add(suite.stream.name, {
		durable_name: name,
		ack_policy: AckPolicy.Explicit,
		deliver_policy: DeliverPolicy.All,
		ack_wait: 5_000_000_000,
		...extra,
	});
}

describe('pull requests the consumer refuses', () => {
	it('adapts to a bound consumer that allows only short pull requests, instead of asking again in a loop', async () => {
		const durable = uniqueName('d');
		await addDurable(durable, { max_expires: 2_000_000_000 });
		const requests = countPullRequests(durable);
		try {
			const trigger = await suite.start(durable, { params: { consumerMode: 'bind' } });
			await pause(3_000);
			// A 2 s request renewed as it expires: a handful in 3 s, never a loop.
			expect(requests.count()).toBeLessThan(10);
			await suite.stream.publish(2);
			await eventually(() => sequences(trigger.fake).length === 2, 8_000, 'both messages');
			expect(trigger.fake.logs.filter((l) => /refused a pull request|Exceeded/i.test(l.message))).toHaveLength(0);
		} finally {
			requests.stop();
		}
	});

	it('backs off while the consumer has no room for another waiting request, and reads once it has', async () => {
		const durable = uniqueName('d');
		await addDurable(durable, { max_waiting: 1 });
		// Another reader holds the consumer's only waiting request for 4 s.
		const inbox = createInbox();
		const other = suite.stream.nc.subscribe(inbox);
		suite.stream.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${suite.stream.name}.${durable}`, JSON.stringify({ batch: 1, expires: 4_000_000_000 }), { reply: inbox });
		await suite.stream.nc.flush();
		const requests = countPullRequests(durable);
		try {
			const trigger = await suite.start(durable, { params: { consumerMode: 'bind' } });
			await pause(3_000);
			expect(requests.count()).toBeLessThan(15);
			await pause(1_500);
			await suite.stream.publish(1);
			await eventually(() => sequences(trigger.fake).length === 1, 15_000, 'the message once the other request ended');
		} finally {
			requests.stop();
			other.unsubscribe();
		}
	});

	// Priority groups came with 2.11; 2.9 refuses such a consumer (and is tested where it is refused).
	if (serverAtLeast('2.11.0')) {
		it('reads from a bound consumer with a priority group (its pull requests name the group)', async () => {
			const durable = uniqueName('d');
			await addDurable(durable, { priority_policy: 'overflow', priority_groups: ['jobs'] });
			const trigger = await suite.start(durable, { params: { consumerMode: 'bind' } });
			await suite.stream.publish(2);
			await eventually(() => sequences(trigger.fake).length === 2, 8_000, 'both messages');
		});
	}
});

describe('Skip Duplicates keeps its promise through its fault paths', () => {
	const bucketOf = (durable: string) => `n8n_processed_${suite.stream.name}_${durable}`;
	const kv = async (durable: string) => await new Kvm(jetstream(suite.stream.nc)).open(bucketOf(durable));
	async function state(durable: string, key: string): Promise<string | undefined> {
		const entry = await (await kv(durable)).get(`k.${key}`);
		return entry && entry.operation === 'PUT' ? (JSON.parse(entry.string()) as { state: string }).state : undefined;
	}

	it('records the key of a message whose claim was taken over while it ran, so a later copy is skipped', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { ...byOrderId, idempotencyOptions: { idempotencyLeaseSeconds: 5 } },
			script: ({ index }) => (index === 0 ? { succeedAfterMs: 5_000 } : 'succeed'),
		});
		await suite.stream.publish(1, order('LOST-1'));
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'the long execution to start');
		// Someone else writes the key while the execution runs: the next renewal finds the claim lost.
		await (await kv(durable)).put('k.LOST-1', JSON.stringify({ state: 'in-progress', owner: 'another instance', at: Date.now(), leaseMs: 5_000 }));
		await ackFloor(durable, 1, 'the long execution acknowledged');
		await eventually(async () => (await state(durable, 'LOST-1')) === 'processed', 5_000, 'the key recorded as processed');
		await suite.stream.publish(1, order('LOST-1'));
		await ackFloor(durable, 2, 'the later copy answered');
		expect(orderIds(trigger)).toEqual(['LOST-1']);
	}, 30_000);

	it('"Later in the Workflow": records the key of a message whose Acknowledge answer arrives after the execution ended', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { ...byOrderId, ackMode: 'later' },
			// The Acknowledge node answered on a worker; main hears the execution's end first (Redis beat NATS).
			script: ({ items }) => {
				const token = String(items[0].json.ackToken);
				setTimeout(() => suite.stream.nc.publish(token, '+ACK'), 300);
				return 'succeed';
			},
			options: { retryDelay: 3 },
		});
		await suite.stream.publish(1, order('LATE-1'));
		await ackFloor(durable, 1, 'the late acknowledgement');
		await eventually(async () => (await state(durable, 'LATE-1')) === 'processed', 5_000, 'the key recorded after the late answer');
		await suite.stream.publish(1, order('LATE-1'));
		await ackFloor(durable, 2, 'the producer\'s retry answered');
		await pause(500);
		expect(orderIds(trigger)).toEqual(['LATE-1']);
	}, 30_000);
});

describe('test runs let go of their connection', () => {
	it('a test run that meets a malformed message ends with the error and closes at once', async () => {
		await suite.stream.publish(1, () => 'not json {');
		const trigger = await suite.start(uniqueName('d'), { mode: 'manual', options: { content: 'json' } });
		await eventually(() => trigger.fake.emittedErrors.length === 1, 5_000, 'the test run\'s error');
		expect(trigger.fake.emittedErrors[0].message).toMatch(/JSON/);
		const closing = Date.now();
		await trigger.close();
		expect(Date.now() - closing).toBeLessThan(5_000);
	});

	it('a test run whose binary conversion fails ends with the error and closes at once', async () => {
		const trigger = await suite.start(uniqueName('d'), { mode: 'manual', options: { content: 'binary' } });
		(trigger.fake.context.helpers as { prepareBinaryData: unknown }).prepareBinaryData = async () => {
			throw new Error('the binary data store is full');
		};
		await suite.stream.publish(1, () => 'bytes');
		await eventually(() => trigger.fake.emittedErrors.length === 1, 5_000, 'the test run\'s error');
		const closing = Date.now();
		await trigger.close();
		expect(Date.now() - closing).toBeLessThan(5_000);
	});
});

describe('dead letters current servers accept', () => {
	it('dead-letters a message of a stream that sources another, without the headers that instruct the server', async () => {
		const origin = uniqueName('ORIG');
		const aggregate = uniqueName('AGG');
		const { jsm, nc } = suite.stream;
		await jsm.streams.add({ name: origin, subjects: [`${origin.toLowerCase()}.>`] });
		await jsm.streams.add({ name: aggregate, sources: [{ name: origin }] });
		try {
			const durable = uniqueName('d');
			await suite.start(durable, { params: { stream: aggregate, maxDeliver: 2 }, script: () => 'fail' });
			await jetstream(nc).publish(`${origin.toLowerCase()}.orders`, JSON.stringify({ id: 1 }));
			let copy: StoredMsg | null = null;
			await eventually(async () => {
				copy = await jsm.streams.getMessage('DLQ', { seq: 1 }).catch(() => null);
				return copy !== null;
			}, 15_000, 'the dead-letter copy');
			const headers = copy!.header!;
			expect(headers.get('Nats-Stream-Source')).toBe('');
			expect(headers.get('X-Dlq-Dropped-Headers')).toMatch(/Nats-Stream-Source/);
			expect(headers.get('X-Dlq-Stream')).toBe(aggregate);
		} finally {
			await jsm.streams.delete(aggregate).catch(() => false);
			await jsm.streams.delete(origin).catch(() => false);
		}
	});
});

describe('closing and deletions', () => {
	it('runs its close once when n8n closes it twice at the same time', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, { params: byOrderId });
		await suite.stream.publish(1, order('C-1'));
		await ackFloor(durable, 1, 'the message');
		await Promise.all([trigger.response.closeFunction?.(), trigger.response.closeFunction?.()]);
		await trigger.close();
		expect(trigger.fake.logs.filter((l) => /^Idempotency: /.test(l.message))).toHaveLength(1);
	});

	it('says the stream was deleted, not the consumer, when the stream it reads is deleted', async () => {
		const durable = uniqueName('d');
		await addDurable(durable);
		const trigger = await suite.start(durable, { params: { consumerMode: 'bind' } });
		await suite.stream.publish(1);
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'first message');
		await suite.stream.jsm.streams.delete(suite.stream.name);
		await eventually(() => trigger.fake.emittedErrors.length === 1, 20_000, 'the error');
		expect(trigger.fake.emittedErrors[0].message).toMatch(new RegExp(`Stream “${suite.stream.name}” was deleted`));
	});
});
