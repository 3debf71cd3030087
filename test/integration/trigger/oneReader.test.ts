import { eventually, withStraightQuotes } from '../../helpers/fakeTrigger';
import { serverAtLeast, uniqueName } from '../../helpers/natsServer';
import { pause, sequences, triggerSuite } from './harness';

/**
 * One active reader (a consumer that pins one client, nats-server 2.11+): of two triggers on one
 * durable only one receives messages, in order; when it closes the other takes over at once, and
 * nothing is lost or run twice.
 */

const suite = triggerSuite('trigger-one-reader', 'ONE');

const onNewServers = serverAtLeast('2.11.0') ? describe : describe.skip;
const onOldServers = serverAtLeast('2.11.0') ? describe.skip : describe;

onNewServers('One Active Reader', () => {
	it('gives every message to one trigger of two, and to the other once the first closes — each message once, in order', async () => {
		const durable = uniqueName('one');
		const extra = { params: { failoverAfter: 5 }, options: { parallelExecutions: 1 } };
		const first = await suite.start(durable, extra);
		const second = await suite.start(durable, extra);
		await suite.stream.publish(10);
		await eventually(() => first.fake.items().length + second.fake.items().length >= 10, 10_000, 'the first ten messages');
		await pause(500);
		const [active, standby] = first.fake.items().length > 0 ? [first, second] : [second, first];
		expect(sequences(active.fake)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(standby.fake.items()).toHaveLength(0);
		const info = await suite.stream.consumer(durable);
		expect(info.config).toMatchObject({ priority_groups: ['n8n'], priority_policy: 'pinned_client', priority_timeout: 5_000_000_000 });

		const closedAt = Date.now();
		await active.close();
		await suite.stream.publish(10);
		await eventually(() => standby.fake.items().length >= 10, 10_000, 'the standby taking over');
		// Released at close: well within the 5 s failover time.
		expect(standby.fake.emissions[0].startedAt - closedAt).toBeLessThan(3_000);
		await pause(500);
		expect(sequences(standby.fake)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
		expect(sequences(active.fake)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		const after = await suite.stream.consumer(durable);
		expect(after.num_pending + after.num_ack_pending).toBe(0);
	});

	it('keeps the pin while the stream is idle longer than the failover time (its pull requests are shorter)', async () => {
		const durable = uniqueName('one');
		const extra = { params: { failoverAfter: 2 }, options: { parallelExecutions: 1 } };
		const first = await suite.start(durable, extra);
		const second = await suite.start(durable, extra);
		await suite.stream.publish(1);
		await eventually(() => first.fake.items().length + second.fake.items().length === 1, 10_000, 'the first message');
		const active = first.fake.items().length === 1 ? first : second;
		await pause(6_000);
		await suite.stream.publish(3);
		await eventually(() => first.fake.items().length + second.fake.items().length === 4, 10_000, 'three more');
		expect(sequences(active.fake)).toEqual([1, 2, 3, 4]);
	});
});

onOldServers('One Active Reader on a server before 2.11', () => {
	it('is refused at activation, naming the version it needs', async () => {
		const error = await suite.start(uniqueName('one'), { params: { failoverAfter: 5 } }).then(() => undefined, (e: unknown) => e as Error);
		expect(withStraightQuotes(error!)).toMatch(/One Active Reader .*needs NATS server 2\.11\.0 or newer; this server runs 2\.9/);
	});
});
