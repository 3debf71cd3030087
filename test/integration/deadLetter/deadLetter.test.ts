import {
	deadLetter,
	deadLetterMsgId,
	DlqHeaders,
	ensureDeadLetterStream,
	requireDeadLetterStream,
} from '../../../nodes/shared/deadLetter';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { dlqFixture, sleep, storedMessages, type DlqFixture } from './harness';

/** Dead-lettering a message pulled from a durable consumer, against a real nats-server. */

let server: NatsServer;
let fx: DlqFixture | undefined;

beforeAll(async () => {
	server = await startNatsServer({ label: 'dead-letter' });
});

afterEach(async () => {
	await fx?.close();
	fx = undefined;
});

afterAll(async () => {
	await server.cleanup();
});

// Not valid UTF-8 and not JSON: must survive the trip byte for byte.
const BINARY = new Uint8Array([0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x41, 0xc3, 0x28, 0x7b]);

describe('deadLetter()', () => {
	it('stores one copy with the original payload and headers plus every envelope header, and the original is not redelivered', async () => {
		fx = await dlqFixture(server, { ackWaitMs: 500 });
		const seq = await fx.publish(BINARY, {
			'X-Custom': 'keep me',
			'Nats-Msg-Id': 'order-7',
			'Nats-Expected-Stream': fx.stream,
		});
		const [msg] = await fx.fetch();
		expect(msg.info.streamSequence).toBe(seq);

		const options = {
			reason: 'max-deliveries' as const,
			error: new Error('HTTP 500 from https://bob:s3cr3t@api.example.com\nat line 2 password=hunter2'),
			failedNode: 'Call API',
			executionId: 'exec-42',
			subjectPrefix: fx.prefix,
		};
		const first = await deadLetter(fx.client, msg, options);
		// A repeated attempt (e.g. the trigger retried after a crash) must not store a second copy.
		const second = await deadLetter(fx.client, msg, options);

		expect(first).toMatchObject({ status: 'dead-lettered', dlqStream: fx.dlqStream, duplicate: false, settled: 'terminated' });
		expect(second).toMatchObject({ status: 'dead-lettered', duplicate: true });
		const stored = await storedMessages(fx.jsm, fx.dlqStream);
		expect(stored).toHaveLength(1);
		const copy = stored[0];
		expect(copy.subject).toBe(`${fx.prefix}.${fx.stream}.${fx.durable}`);
		expect(Buffer.from(copy.data).equals(Buffer.from(BINARY))).toBe(true);
		const h = (name: string) => copy.header.get(name);
		expect(h('X-Custom')).toBe('keep me');
		expect(h(DlqHeaders.Stream)).toBe(fx.stream);
		expect(h(DlqHeaders.Subject)).toBe(fx.subject);
		expect(h(DlqHeaders.Sequence)).toBe(String(seq));
		expect(h(DlqHeaders.Consumer)).toBe(fx.durable);
		expect(h(DlqHeaders.Deliveries)).toBe('1');
		expect(h(DlqHeaders.Reason)).toBe('max-deliveries');
		expect(h(DlqHeaders.FailedNode)).toBe('Call API');
		expect(h(DlqHeaders.ExecutionId)).toBe('exec-42');
		expect(h(DlqHeaders.OriginalMsgId)).toBe('order-7');
		expect(h(DlqHeaders.DroppedHeaders)).toBe('Nats-Expected-Stream');
		expect(h('Nats-Expected-Stream')).toBe('');
		expect(h('Nats-Msg-Id')).toBe(deadLetterMsgId(fx.stream, fx.durable, seq));
		expect(new Date(h(DlqHeaders.Time)).getTime()).toBeGreaterThan(Date.now() - 60_000);
		expect(new Date(h(DlqHeaders.OriginalTime)).getTime()).toBeGreaterThan(Date.now() - 60_000);
		const error = h(DlqHeaders.Error);
		expect(error).toContain('HTTP 500');
		expect(error).not.toMatch(/s3cr3t|hunter2/);
		expect(error).not.toMatch(/[\r\n]/);

		// Well past the ack wait: a terminated message never comes back.
		await sleep(1_200);
		expect(await fx.fetch(1, 1_000)).toHaveLength(0);
		const consumer = await fx.jsm.consumers.info(fx.stream, fx.durable);
		expect(consumer.num_ack_pending).toBe(0);
		expect(consumer.num_pending).toBe(0);
	});

	it('leaves the original redeliverable when no stream captures the dead-letter subject', async () => {
		fx = await dlqFixture(server, { withDlq: false, ackWaitMs: 10_000 });
		const seq = await fx.publish('{"id":1}');
		const [msg] = await fx.fetch();

		const result = await deadLetter(fx.client, msg, {
			reason: 'parse-error',
			error: 'bad',
			subjectPrefix: fx.prefix,
			retryDelayMs: 200,
			timeoutMs: 2_000,
		});

		expect(result.status).toBe('failed');
		if (result.status !== 'failed') throw new Error('unreachable');
		expect(result.settled).toBe('nak');
		expect(result.error.message).toMatch(/No stream captures subject/);
		// Redelivered after the nak delay, well before the 10 s ack wait.
		const [again] = await fx.fetch(1, 3_000);
		expect(again?.info.streamSequence).toBe(seq);
		expect(again?.info.deliveryCount).toBe(2);
		again?.ack();
	});

	it('removes redacted JSON fields from the copy and names them in a header', async () => {
		fx = await dlqFixture(server);
		await fx.publish(JSON.stringify({ id: 9, password: 'pw', card: { number: '4111', exp: '12/30' } }));
		const [msg] = await fx.fetch();

		const result = await deadLetter(fx.client, msg, {
			reason: 'schema-invalid',
			error: 'missing field "total"',
			redactFields: ['password', 'card.number', 'absent'],
			subjectPrefix: fx.prefix,
		});

		expect(result).toMatchObject({ status: 'dead-lettered', redactedFields: ['password', 'card.number'] });
		const [copy] = await storedMessages(fx.jsm, fx.dlqStream);
		expect(JSON.parse(new TextDecoder().decode(copy.data))).toEqual({ id: 9, card: { exp: '12/30' } });
		expect(copy.header.get(DlqHeaders.RedactedFields)).toBe('password,card.number');
	});

	it('dead-letters on the last allowed delivery and the consumer has nothing left', async () => {
		fx = await dlqFixture(server, { ackWaitMs: 300, maxDeliver: 2 });
		await fx.publish('{"n":1}');
		const [firstDelivery] = await fx.fetch();
		firstDelivery.nak();
		const [last] = await fx.fetch(1, 3_000);
		expect(last.info.deliveryCount).toBe(2);

		const result = await deadLetter(fx.client, last, { reason: 'max-deliveries', error: 'Execution failed', subjectPrefix: fx.prefix });

		expect(result.status).toBe('dead-lettered');
		const [copy] = await storedMessages(fx.jsm, fx.dlqStream);
		expect(copy.header.get(DlqHeaders.Deliveries)).toBe('2');
		expect((await fx.jsm.consumers.info(fx.stream, fx.durable)).num_ack_pending).toBe(0);
	});
});

describe('dead-letter stream', () => {
	it('is created only when asked, and found afterwards by its subject', async () => {
		fx = await dlqFixture(server, { withDlq: false });
		const name = uniqueName('DLQ');
		const prefix = name.toLowerCase();
		await expect(requireDeadLetterStream(fx.client, `${prefix}.a.b`)).rejects.toThrow(/No stream captures the dead-letter subject/);

		const made = await ensureDeadLetterStream(fx.client, { name, subjects: [`${prefix}.>`], maxAgeMs: 3_600_000, maxMessages: 10 });
		const again = await ensureDeadLetterStream(fx.client, { name, subjects: [`${prefix}.>`], maxAgeMs: 7_200_000, maxMessages: 20 });

		try {
			expect(made.created).toBe(true);
			expect(again.created).toBe(false);
			expect(again.stream).toMatchObject({ storage: 'file', maxAgeMs: 7_200_000, maxMessages: 20, subjects: [`${prefix}.>`] });
			expect(await requireDeadLetterStream(fx.client, `${prefix}.a.b`)).toBe(name);
		} finally {
			await fx.jsm.streams.delete(name);
		}
	});
});
