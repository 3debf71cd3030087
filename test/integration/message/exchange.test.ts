import { AckPolicy, jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';

import { json, messageSuite } from './harness';

/** Message → Request, Get and Acknowledge against a real nats-server. */

const suite = messageSuite('message-exchange');
// Request subjects outside the test stream: a stream capturing a subject answers requests with its PubAck.
const service = (name: string) => `svc.${suite.stream.toLowerCase()}.${name}`;

describe('Message → Request', () => {
	it('sends each item as a request and outputs the parsed reply with its headers', async () => {
		const subject = service('quote');
		const sub = suite.nc.subscribe(subject, {
			callback: (_err, msg) => {
				const h = natsHeaders();
				h.set('X-Served-By', 'pricing');
				const { sku } = JSON.parse(new TextDecoder().decode(msg.data)) as { sku: string };
				msg.respond(JSON.stringify({ sku, price: sku.length * 10 }), { headers: h });
			},
		});
		// The node asks on another connection: make sure the server has the subscription first.
		await suite.nc.flush();
		try {
			const { out } = await suite.run({ operation: 'request', subject, requestTimeout: 2 }, [{ json: { sku: 'abc' } }, { json: { sku: 'abcd' } }]);
			expect(json(out)).toMatchObject([
				{ subject, body: { sku: 'abc', price: 30 }, bodyEncoding: 'json', headers: { 'X-Served-By': 'pricing' } },
				{ body: { sku: 'abcd', price: 40 } },
			]);
		} finally {
			sub.unsubscribe();
		}
	});

	it('says nobody is listening when there is no responder', async () => {
		await expect(suite.run({ operation: 'request', subject: service('nobody'), requestTimeout: 1 })).rejects.toThrow(/Nobody is listening on subject/);
	});

	it('says the reply did not come in time', async () => {
		const subject = service('slow');
		const sub = suite.nc.subscribe(subject, { callback: () => undefined });
		await suite.nc.flush();
		try {
			await expect(suite.run({ operation: 'request', subject, requestTimeout: 0.2 })).rejects.toThrow(/No answer on ".*slow" after 0.2 s/);
		} finally {
			sub.unsubscribe();
		}
	});
});

describe('Message → Get', () => {
	it('reads a message by sequence and the last one on a subject, and says when there is none', async () => {
		const js = jetstream(suite.nc);
		await js.publish(`${suite.prefix}a`, JSON.stringify({ v: 1 }));
		await js.publish(`${suite.prefix}a`, 'plain text');
		const bySeq = json((await suite.run({ operation: 'get', messageStream: suite.stream, getBy: 'sequence', sequence: 1 })).out);
		expect(bySeq[0]).toMatchObject({ stream: suite.stream, sequence: 1, subject: `${suite.prefix}a`, body: { v: 1 }, bodyEncoding: 'json' });
		const last = json((await suite.run({ operation: 'get', messageStream: suite.stream, getBy: 'lastOnSubject', lastSubject: `${suite.prefix}a` })).out);
		expect(last[0]).toMatchObject({ sequence: 2, body: 'plain text', bodyEncoding: 'text' });
		await expect(suite.run({ operation: 'get', messageStream: suite.stream, getBy: 'sequence', sequence: 99 })).rejects.toThrow(/has no message with sequence 99/);
		await expect(suite.run({ operation: 'get', messageStream: 'NO_SUCH', getBy: 'sequence', sequence: 1 })).rejects.toThrow(/Stream "NO_SUCH" does not exist/);
	});
});

describe('Message → Acknowledge', () => {
	async function delivered(count: number) {
		const js = jetstream(suite.nc);
		for (let i = 0; i < count; i++) await js.publish(`${suite.prefix}work`, JSON.stringify({ i }));
		await suite.jsm.consumers.add(suite.stream, { durable_name: 'later', ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
		const consumer = await js.consumers.get(suite.stream, 'later');
		const batch = await consumer.fetch({ max_messages: count, expires: 2000 });
		const replies: string[] = [];
		for await (const m of batch) replies.push((m as unknown as { reply: string }).reply);
		return replies;
	}

	it('acknowledges through the ack token on its own connection', async () => {
		const [token] = await delivered(1);
		const { out } = await suite.run({ operation: 'acknowledge', ackToken: token, ackAction: 'ack' }, [{ json: { ackToken: token, payload: 1 } }]);
		expect(out[0].json).toMatchObject({ acknowledged: 'ack', payload: 1 });
		const info = await suite.jsm.consumers.info(suite.stream, 'later');
		expect(info.ack_floor.stream_seq).toBe(1);
		expect(info.num_ack_pending).toBe(0);
	});

	it('hands a message back with a delay (nak) and gives one up (term)', async () => {
		const [first, second] = await delivered(2);
		await suite.run({ operation: 'acknowledge', ackToken: first, ackAction: 'nak', nakDelaySeconds: 30 });
		await suite.run({ operation: 'acknowledge', ackToken: second, ackAction: 'term' });
		const info = await suite.jsm.consumers.info(suite.stream, 'later');
		expect(info.num_ack_pending).toBe(1);
		expect(info.ack_floor.stream_seq).toBe(0);
	});

	it('explains an item without an ack token', async () => {
		await expect(suite.run({ operation: 'acknowledge', ackToken: '', ackAction: 'ack' })).rejects.toThrow(/Item 1 has no ack token/);
		await expect(suite.run({ operation: 'acknowledge', ackToken: 'orders.created', ackAction: 'ack' })).rejects.toThrow(/is not an ack token/);
	});
});
