import { NodeOperationError } from 'n8n-workflow';

import { json, messageSuite } from './harness';

/** Message → Publish against a real nats-server. */

const suite = messageSuite('message-publish');
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const publish = (params: Record<string, unknown>) => ({ operation: 'publish', subject: `${suite.prefix}created`, ...params });

describe('Message → Publish', () => {
	it('stores each item as JSON and outputs stream, sequence, duplicate flag, subject and a generated correlation ID', async () => {
		const items = [{ json: { orderId: 'A', total: 1 } }, { json: { orderId: 'B', total: 2 } }];
		const { out } = await suite.run(publish({}), items);
		expect(json(out)).toMatchObject([
			{ stream: suite.stream, sequence: 1, duplicate: false, subject: `${suite.prefix}created`, messageId: null },
			{ stream: suite.stream, sequence: 2, duplicate: false },
		]);
		expect(out[0].json.correlationId).toMatch(UUID_V7);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const first = await suite.stored(1);
		expect(JSON.parse(new TextDecoder().decode(first.data))).toEqual({ orderId: 'A', total: 1 });
		expect(first.header.get('X-Correlation-Id')).toBe(out[0].json.correlationId);
	});

	it('says at once that no stream stores the subject, and how to fix it, not that nobody is listening', async () => {
		const subject = `nowhere.${suite.prefix}created`;
		const started = Date.now();
		const error = await suite.run(publish({ subject })).then(
			() => undefined,
			(e: NodeOperationError) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error?.message).toBe(`No stream captures subject "${subject}"`);
		expect(error?.description).toMatch(/^Create a stream whose subjects include this subject with a JetStream node set to Stream → Create, run on its own \(not connected after this node\) or in another workflow, or fix the subject/);
		expect(`${error?.message} ${error?.description}`).not.toMatch(/Nobody is listening|Start the service|no responders/i);
		// Told on the first attempt, not after the 30 s a publish waits out a leader election.
		expect(Date.now() - started).toBeLessThan(5_000);

		const { out } = await suite.run(publish({ subject }), [{ json: {} }], true);
		expect(out[0].json).toMatchObject({ error: `No stream captures subject "${subject}"`, hint: expect.stringContaining('with a JetStream node set to Stream → Create, run on its own (not connected after this node) or in another workflow') });
	});

	it('sends the idempotency key as Nats-Msg-Id: a repeat is reported as duplicate and stored once', async () => {
		const items = [{ json: { orderId: 'A-1' } }];
		const params = publish({ idempotencyKey: (i: number) => String(items[i].json.orderId) });
		const [first] = json((await suite.run(params, items)).out);
		const [second] = json((await suite.run(params, items)).out);
		expect(first).toMatchObject({ duplicate: false, messageId: 'A-1', sequence: 1 });
		expect(second).toMatchObject({ duplicate: true, messageId: 'A-1', sequence: 1 });
		expect((await suite.jsm.streams.info(suite.stream)).state.messages).toBe(1);
	});

	it('refuses an Idempotency Key whose {{ }} was never evaluated, before anything is stored', async () => {
		const items = [{ json: { orderId: 'A-1' } }, { json: { orderId: 'A-2' } }];
		await expect(suite.run(publish({ idempotencyKey: '{{ $json.orderId }}-shipped' }), items)).rejects.toThrow(
			/^The Idempotency Key of item 1 is the text "\{\{ \$json\.orderId \}\}-shipped": its \{\{ \}\} part was not evaluated$/,
		);
		expect((await suite.jsm.streams.info(suite.stream)).state.messages).toBe(0);
	});

	it('numbers the items from 1 as n8n shows them, and joins its sentences with one period', async () => {
		const items = [{ json: { orderId: 'A-1' } }, { json: { orderId: 'A-2' } }];
		const idempotencyKey = (i: number) => (i === 1 ? '{{ $json.orderId }}' : 'A-1');
		const failure = await suite.run(publish({ idempotencyKey }), items).then(() => undefined, (e: unknown) => e as NodeOperationError);
		expect(failure!.message).toMatch(/^The Idempotency Key of item 2 is the text/);
		expect(failure!.description).toMatch(/stores only the first\. 1 of 2 item\(s\) were stored before item 2 failed/);
		expect(failure!.description).not.toMatch(/\.\./);
	});

	it('warns in the editor when every item had the same Idempotency Key, and not when keys differ', async () => {
		const items = [{ json: { n: 1 } }, { json: { n: 2 } }, { json: { n: 3 } }];
		const same = await suite.run(publish({ idempotencyKey: 'order-shipped' }), items);
		expect(json(same.out).map((o) => o.duplicate)).toEqual([false, true, true]);
		expect(same.logs.filter((l) => l.level === 'hint').map((l) => l.message)).toEqual([
			expect.stringMatching(/^Every one of the 3 items had the Idempotency Key "order-shipped", so JetStream stored only the first message/),
		]);
		const distinct = await suite.run(publish({ idempotencyKey: (i: number) => `order-${i}` }), items);
		expect(distinct.logs.filter((l) => l.level === 'hint')).toEqual([]);
		// An item that failed before it was sent had no key: not "every one of the items".
		const oneBad = await suite.run(publish({ idempotencyKey: 'order-other', subject: (i: number) => (i === 1 ? 'bad subject' : `${suite.prefix}created`) }), items, true);
		expect(oneBad.out[1].json.error).toBeDefined();
		expect(oneBad.logs.filter((l) => l.level === 'hint')).toEqual([]);
	});

	it('sends the message of an item that came from the trigger, not the trigger\'s wrapper or its ack token', async () => {
		const fromTrigger = {
			payload: { orderId: 'A-7', total: 3 },
			subject: 'orders.created',
			headers: { 'Nats-Msg-Id': 'A-7' },
			streamSequence: 12,
			deliveryCount: 1,
			ackToken: '$JS.ACK.ORDERS.billing.1.12.12.1700000000000000000.0',
		};
		const fromRequest = { payload: { q: 1 }, subject: 'svc.price', headers: {}, replyTo: '_INBOX.abc.1' };
		await suite.run(publish({}), [{ json: fromTrigger }, { json: fromRequest }, { json: { ackToken: '$JS.ACK.X.y.1.1.1.1.0', subject: 'a.b', note: 'binary message' } }]);
		const body = async (seq: number) => new TextDecoder().decode((await suite.stored(seq)).data);
		expect(JSON.parse(await body(1))).toEqual({ orderId: 'A-7', total: 3 });
		expect(JSON.parse(await body(2))).toEqual({ q: 1 });
		expect(await body(3)).not.toContain('$JS.ACK');
	});

	it('refuses a publish whose expected last sequence does not match, saying so', async () => {
		await suite.run(publish({}));
		await expect(suite.run(publish({ publishOptions: { expectedLastSequence: 7 } }))).rejects.toThrow(/last sequence/i);
		const [ok] = json((await suite.run(publish({ publishOptions: { expectedLastSequence: 1, expectedStream: suite.stream } }))).out);
		expect(ok.sequence).toBe(2);
	});

	it('publishes 10 000 items in one execution, stored and output in input order', async () => {
		const items = Array.from({ length: 10_000 }, (_, n) => ({ json: { n } }));
		const { out } = await suite.run(publish({}), items);
		expect(out).toHaveLength(10_000);
		expect(out.every((o, i) => o.json.sequence === i + 1)).toBe(true);
		for (const seq of [1, 2_500, 7_777, 10_000]) {
			expect(JSON.parse(new TextDecoder().decode((await suite.stored(seq)).data))).toEqual({ n: seq - 1 });
		}
	});

	it('round-trips a binary payload byte for byte, with its MIME type', async () => {
		const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256));
		const items = [{ json: {}, binary: { file: { data: bytes.toString('base64'), mimeType: 'image/png' } } }];
		await suite.run(publish({ payloadSource: 'binary', payloadBinaryProperty: 'file' }), items);
		const { out } = await suite.run({ operation: 'get', messageStream: suite.stream, getBy: 'sequence', sequence: 1, messageFormat: 'binary' });
		expect(Buffer.from(out[0].binary!.data.data, 'base64').equals(bytes)).toBe(true);
		expect(out[0].binary!.data.mimeType).toBe('image/png');
	});

	it('names the missing binary property and the item', async () => {
		await expect(suite.run(publish({ payloadSource: 'binary', payloadBinaryProperty: 'file' }))).rejects.toThrow(/Item 1 has no binary property "file"/);
	});

	it('sends one field, or text, as the body', async () => {
		await suite.run(publish({ payloadSource: 'field', payloadField: 'order.lines' }), [{ json: { order: { lines: [1, 2] } } }]);
		await suite.run(publish({ payloadSource: 'text', payloadText: 'hello' }));
		expect(new TextDecoder().decode((await suite.stored(1)).data)).toBe('[1,2]');
		expect(new TextDecoder().decode((await suite.stored(2)).data)).toBe('hello');
	});

	it('wraps the payload as a structured CloudEvent whose id is the idempotency key', async () => {
		const params = publish({ idempotencyKey: 'evt-1', publishOptions: { envelope: 'structured', eventType: 'com.example.order.created', eventSource: 'https://shop.example' } });
		await suite.run(params, [{ json: { orderId: 'A' } }]);
		const stored = await suite.stored(1);
		expect(JSON.parse(new TextDecoder().decode(stored.data))).toMatchObject({
			specversion: '1.0', id: 'evt-1', source: 'https://shop.example', type: 'com.example.order.created', datacontenttype: 'application/json', data: { orderId: 'A' },
		});
		expect(stored.header.get('content-type')).toBe('application/cloudevents+json');
	});

	it('puts CloudEvents attributes into ce-* headers in binary mode, keeping the body', async () => {
		await suite.run(publish({ publishOptions: { envelope: 'binary', eventType: 'order.created' } }), [{ json: { a: 1 } }]);
		const stored = await suite.stored(1);
		expect(JSON.parse(new TextDecoder().decode(stored.data))).toEqual({ a: 1 });
		expect(stored.header.get('ce-type')).toBe('order.created');
		expect(stored.header.get('ce-specversion')).toBe('1.0');
		expect(stored.header.get('ce-source')).toBe('n8n://workflow/wf-test-1');
		expect(stored.header.get('ce-id')).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('passes on the correlation ID and trace context of an item that came from the trigger', async () => {
		const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
		const items = [{ json: { correlationId: 'corr-42', headers: { traceparent, tracestate: 'vendor=1' } } }];
		const [out] = json((await suite.run(publish({}), items)).out);
		expect(out.correlationId).toBe('corr-42');
		const stored = await suite.stored(1);
		expect(stored.header.get('X-Correlation-Id')).toBe('corr-42');
		expect(stored.header.get('traceparent')).toBe(traceparent);
		expect(stored.header.get('tracestate')).toBe('vendor=1');
	});

	it('with Continue On Fail, a bad item fails alone and the others are stored in order', async () => {
		const items = [{ json: { n: 0 } }, { json: { n: 1 } }, { json: { n: 2 } }];
		const subject = (i: number) => (i === 1 ? 'bad.*' : `${suite.prefix}created`);
		const { out } = await suite.run(publish({ subject }), items, true);
		expect(json(out)).toMatchObject([{ sequence: 1 }, { error: 'Subject "bad.*" contains a wildcard' }, { sequence: 2 }]);
		expect(out[1].pairedItem).toEqual({ item: 1 });
	});

	it('without Continue On Fail, names the item and says what was stored', async () => {
		const items = [{ json: { n: 0 } }, { json: { n: 1 } }];
		const subject = (i: number) => (i === 1 ? 'nobody.here' : `${suite.prefix}created`);
		const failure = await suite.run(publish({ subject }), items).then(() => undefined, (e: unknown) => e as NodeOperationError);
		expect(failure).toBeInstanceOf(NodeOperationError);
		expect(failure!.message).toMatch(/No stream captures subject "nobody\.here"/);
		expect(failure!.description).toMatch(/1 of 2 item\(s\) were stored before item 2 failed/);
		expect((failure as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
	});

	it('refuses a payload over the server\'s max_payload before sending it', async () => {
		const big = 'x'.repeat(1024 * 1024 + 10);
		await expect(suite.run(publish({ payloadSource: 'text', payloadText: big }))).rejects.toThrow(/bytes; the server accepts at most 1048576 bytes \(max_payload\)/);
		expect((await suite.jsm.streams.info(suite.stream)).state.messages).toBe(0);
	});

	it('does not log a header value with a secret-looking name', async () => {
		const { logs } = await suite.run(publish({ headers: { header: [{ name: 'Authorization', value: 'Bearer s3cr3t-token' }] } }));
		expect((await suite.stored(1)).header.get('Authorization')).toBe('Bearer s3cr3t-token');
		expect(JSON.stringify(logs)).not.toContain('s3cr3t-token');
	});

	it('refuses a header name with a space, naming the field', async () => {
		await expect(suite.run(publish({ headers: { header: [{ name: 'Order Id', value: '1' }] } }))).rejects.toThrow(/"Order Id" is not a valid header name/);
	});
});
