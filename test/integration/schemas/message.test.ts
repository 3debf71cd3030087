import { AckPolicy } from '@nats-io/jetstream';
import { createInbox, headers as natsHeaders } from '@nats-io/transport-node';

import { schemaSuite } from './harness';

/** Message operations: their real output matches their output schemas, in every case. */

const suite = schemaSuite('schemas-message');

describe('Message output', () => {
	it('publish (new, duplicate, with and without message and correlation IDs) matches its schema', async () => {
		const subject = `${suite.prefix}created`;
		const items = [{ json: { orderId: 'A' } }, { json: { orderId: 'B' } }];
		const [plain] = await suite.check('message', 'publish', { subject, payloadSource: 'json', publishOptions: { generateCorrelationId: false } }, items);
		expect(plain).toMatchObject({ messageId: null, correlationId: null, duplicate: false });
		const keyed = { subject, payloadSource: 'json', idempotencyKey: (i: number) => `order-${i}`, publishOptions: { generateCorrelationId: true } };
		await suite.check('message', 'publish', keyed, items);
		expect((await suite.check('message', 'publish', keyed, items)).map((o) => o.duplicate)).toEqual([true, true]);
	});

	it('get (JSON, text, Base64, binary, last on subject) matches its schema', async () => {
		const h = natsHeaders();
		h.append('X-Many', 'a');
		h.append('X-Many', 'b');
		await suite.js.publish(`${suite.prefix}a`, JSON.stringify({ id: 1 }), { headers: h });
		await suite.js.publish(`${suite.prefix}b`, 'plain text');
		const bySequence = { messageStream: suite.stream, getBy: 'sequence', sequence: 1 };
		for (const messageFormat of ['auto', 'text', 'base64', 'binary']) await suite.check('message', 'get', { ...bySequence, messageFormat });
		await suite.check('message', 'get', { messageStream: suite.stream, getBy: 'lastOnSubject', lastSubject: `${suite.prefix}b`, messageFormat: 'auto' });
	});

	it('request (JSON and binary reply) and reply match their schemas', async () => {
		const subject = `svc.${suite.prefix}quote`;
		const sub = suite.nc.subscribe(subject, {
			callback: (_err, msg) => {
				const h = natsHeaders();
				h.set('X-Served-By', 'pricing');
				msg.respond(JSON.stringify({ price: 10 }), { headers: h });
			},
		});
		await suite.nc.flush();
		try {
			await suite.check('message', 'request', { subject, requestTimeout: 2, payloadSource: 'json', replyFormat: 'auto' }, [{ json: { sku: 'a' } }]);
			await suite.check('message', 'request', { subject, requestTimeout: 2, payloadSource: 'json', replyFormat: 'binary' }, [{ json: { sku: 'a' } }]);
		} finally {
			sub.unsubscribe();
		}
		const inbox = createInbox();
		const got = suite.nc.subscribe(inbox, { max: 1 });
		await suite.nc.flush();
		expect(await suite.check('message', 'reply', { replyTo: inbox, payloadSource: 'json' }, [{ json: { ok: true } }])).toEqual([{ repliedTo: inbox, bytes: 11 }]);
		for await (const m of got) expect(m.string()).toBe('{"ok":true}');
	});

	it('acknowledge matches its schema, passing the input item through', async () => {
		await suite.js.publish(`${suite.prefix}work`, '1');
		await suite.jsm.consumers.add(suite.stream, { durable_name: 'later', ack_policy: AckPolicy.Explicit, ack_wait: 30_000_000_000 });
		const consumer = await suite.js.consumers.get(suite.stream, 'later');
		const [message] = await (async () => {
			const out = [];
			for await (const m of await consumer.fetch({ max_messages: 1, expires: 2000 })) out.push(m);
			return out;
		})();
		const token = (message as unknown as { reply: string }).reply;
		const [out] = await suite.check('message', 'acknowledge', { ackToken: token, ackAction: 'ack' }, [{ json: { ackToken: token, payload: 1 } }]);
		expect(out).toEqual({ ackToken: token, payload: 1, acknowledged: 'ack' });
	});
});
