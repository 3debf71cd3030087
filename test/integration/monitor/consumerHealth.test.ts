import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute } from '../../helpers/fakeExecute';
import { serverAtLeast, startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';

/** Monitor → Consumer Health against a real nats-server: ok, lagging, stalled and failing consumers. */

let server: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
	server = await startNatsServer({ label: 'consumer-health' });
	nc = await connect({ servers: server.url });
	jsm = await jetstreamManager(nc);
});

afterAll(async () => {
	await connectionPool.closeAll();
	await nc.close();
	await server.cleanup();
});

async function streamWith(messages: number): Promise<{ stream: string; consumer: string; subject: string }> {
	const stream = uniqueName('HEALTH');
	const subject = `${stream.toLowerCase()}.orders`;
	await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
	const js = jetstream(nc);
	for (let i = 0; i < messages; i++) await js.publish(subject, JSON.stringify({ n: i }));
	const consumer = uniqueName('c');
	await jsm.consumers.add(stream, { durable_name: consumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 1, ack_wait: 60_000_000_000 });
	return { stream, consumer, subject };
}

async function health(stream: string, consumer: string, healthOptions: IDataObject = {}): Promise<IDataObject> {
	const { context } = fakeExecute({
		params: { resource: 'monitor', operation: 'consumerHealth', stream, consumerName: consumer, healthOptions },
		credentials: { servers: server.url, authType: 'none' },
	});
	const [out] = await new JetStream().execute.call(context);
	return out[0].json;
}

/** A reader that took one message and holds it: delivery happened just now, nothing is acknowledged. */
async function takeOne(stream: string, consumer: string): Promise<void> {
	const c = await jetstream(nc).consumers.get(stream, consumer);
	const msg = await c.next({ expires: 2_000 });
	if (!msg) throw new Error('expected a message');
}

describe('Monitor → Consumer Health', () => {
	it('is ok with nothing waiting, and reports the consumer\'s figures', async () => {
		const { stream, consumer } = await streamWith(0);
		expect(await health(stream, consumer)).toMatchObject({
			stream,
			consumer,
			status: 'ok',
			reasons: [],
			pending: 0,
			ackPending: 0,
			redelivered: 0,
			deadLetters: null,
			paused: false,
		});
	});

	it('is lagging when more messages wait than the threshold while a reader is at work', async () => {
		const { stream, consumer } = await streamWith(12);
		await takeOne(stream, consumer);
		const result = await health(stream, consumer, { laggingAt: 10 });
		expect(result).toMatchObject({ status: 'lagging', pending: 11, ackPending: 1 });
		expect(result.reasons).toEqual(['11 message(s) wait to be read (threshold 10)']);
	});

	it('is stalled when messages wait and nobody reads them', async () => {
		const { stream, consumer } = await streamWith(3);
		const result = await health(stream, consumer, { stalledAfter: 1 });
		expect(result.status).toBe('stalled');
		expect(String((result.reasons as string[])[0])).toMatch(/3 message\(s\) wait/);
	});

	// Servers before 2.10 do not say when a consumer last delivered or was acknowledged.
	if (serverAtLeast('2.10.0')) {
		it('is stalled when a reader holds a message and nothing moved for longer than the threshold', async () => {
			const { stream, consumer } = await streamWith(3);
			await takeOne(stream, consumer);
			expect((await health(stream, consumer, { stalledAfter: 60 })).status).toBe('ok');
			await new Promise((resolve) => setTimeout(resolve, 2_200));
			const result = await health(stream, consumer, { stalledAfter: 2 });
			expect(result.status).toBe('stalled');
			expect(result.lastDeliveredAt).toEqual(expect.any(String));
		});
	}

	it('is failing with dead letters of this consumer in the window, counted by reason', async () => {
		const { stream, consumer } = await streamWith(0);
		const dlq = uniqueName('DLQ');
		await jsm.streams.add({ name: dlq, subjects: [`${dlq.toLowerCase()}.>`] });
		const letter = async (forConsumer: string, reason: string) => {
			const h = headers();
			h.set('X-Dlq-Stream', stream);
			h.set('X-Dlq-Consumer', forConsumer);
			h.set('X-Dlq-Reason', reason);
			await jetstream(nc).publish(`${dlq.toLowerCase()}.x`, '{}', { headers: h });
		};
		await letter(consumer, 'max-deliveries');
		await letter(consumer, 'max-deliveries');
		await letter(consumer, 'parse-error');
		await letter('another', 'parse-error');
		const result = await health(stream, consumer, { deadLetterStream: dlq });
		expect(result).toMatchObject({
			status: 'failing',
			deadLetters: { total: 3, byReason: { 'max-deliveries': 2, 'parse-error': 1 }, stream: dlq, withinMinutes: 60 },
		});
		expect(result.reasons).toEqual(['3 message(s) dead-lettered in the window']);
		expect((await health(stream, consumer, { deadLetterStream: dlq, failingAtDeadLetters: 5 })).status).toBe('ok');
	});

	it('names the consumer when it does not exist', async () => {
		const { stream } = await streamWith(0);
		await expect(health(stream, 'MISSING')).rejects.toThrow(/Consumer "MISSING" does not exist on stream/);
	});
});
