import type { Msg, NatsConnection } from '@nats-io/transport-node';

import { AnswerWriter, answerKind, parseAckSubject, toDelivery } from '../../../nodes/shared/transport/delivery';

/** Delivered messages, their answers, and the writer that batches answers per connection. */

const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

function fakeConnection(failOn?: string) {
	const written: Array<[string, string]> = [];
	const nc = {
		publish: (subject: string, payload: Uint8Array) => {
			if (subject === failOn) throw new Error('connection draining');
			written.push([subject, decode(payload)]);
		},
	} as unknown as NatsConnection;
	return { nc, written };
}

const flushed = () => new Promise((resolve) => setImmediate(resolve));

function message(reply: string): Msg {
	return { subject: 'orders.created', reply, data: encode('{}'), headers: undefined } as unknown as Msg;
}

describe('parseAckSubject', () => {
	it('reads the short form of servers before 2.10', () => {
		expect(parseAckSubject('$JS.ACK.ORDERS.billing.3.42.40.1700000000000000000.17')).toEqual({
			stream: 'ORDERS',
			consumer: 'billing',
			deliveryCount: 3,
			streamSequence: 42,
			consumerSequence: 40,
			timestampNanos: 1700000000000000000,
			pending: 17,
		});
	});

	it('reads the long form with domain and account hash', () => {
		expect(parseAckSubject('$JS.ACK.hub.ACCHASH.ORDERS.billing.1.7.5.1700000000000000000.0.tok')).toMatchObject({
			stream: 'ORDERS',
			consumer: 'billing',
			deliveryCount: 1,
			streamSequence: 7,
		});
	});

	it('refuses what is not an ack subject', () => {
		expect(parseAckSubject('_INBOX.abc')).toBeUndefined();
		expect(parseAckSubject('$JS.ACK.ORDERS.billing.x')).toBeUndefined();
	});
});

describe('answerKind', () => {
	it.each([
		['+ACK', 'ack'],
		['', 'ack'],
		['-NAK {"delay": 5}', 'nak'],
		['+TERM too bad', 'term'],
		['+WPI', 'working'],
		['+NXT', 'other'],
	])('%s is %s', (payload, kind) => expect(answerKind(encode(payload))).toBe(kind));
});

describe('AnswerWriter and Delivery', () => {
	it('writes the answers of one turn together, each message answered once however often it is answered', async () => {
		const { nc, written } = fakeConnection();
		const writer = new AnswerWriter(nc, () => undefined);
		const d = toDelivery(message('$JS.ACK.S.c.1.5.5.1700000000000000000.0'), writer);
		d.working();
		d.ack();
		d.ack();
		d.nak(1000);
		d.working();
		expect(written).toEqual([]);
		await flushed();
		expect(written.map(([, p]) => p)).toEqual(['+WPI', '+ACK']);
	});

	it('sends a nak with its delay in nanoseconds', async () => {
		const { nc, written } = fakeConnection();
		const d = toDelivery(message('$JS.ACK.S.c.1.5.5.1700000000000000000.0'), new AnswerWriter(nc, () => undefined));
		d.nak(1500);
		await flushed();
		expect(written).toEqual([['$JS.ACK.S.c.1.5.5.1700000000000000000.0', '-NAK {"delay":1500000000}']]);
	});

	it('writes the other answers when one write fails, and reports the failure instead of throwing', async () => {
		const { nc, written } = fakeConnection('$JS.ACK.S.c.1.2.2.1700000000000000000.0');
		const failures: Array<[string, number]> = [];
		const writer = new AnswerWriter(nc, (error, count) => failures.push([error.message, count]));
		for (const seq of [1, 2, 3]) toDelivery(message(`$JS.ACK.S.c.1.${seq}.${seq}.1700000000000000000.0`), writer).ack();
		await flushed();
		expect(written.map(([s]) => s.split('.')[5])).toEqual(['1', '3']);
		expect(failures).toEqual([['connection draining', 1]]);
	});

	it('keeps one queue per connection', async () => {
		const a = fakeConnection();
		const b = fakeConnection('$JS.ACK.S.c.1.1.1.1700000000000000000.0');
		const onA = toDelivery(message('$JS.ACK.S.c.1.1.1.1700000000000000000.0'), new AnswerWriter(a.nc, () => undefined));
		const onB = toDelivery(message('$JS.ACK.S.c.1.1.1.1700000000000000000.0'), new AnswerWriter(b.nc, () => undefined));
		onB.ack();
		onA.ack();
		await flushed();
		expect(a.written).toHaveLength(1);
		expect(b.written).toHaveLength(0);
	});
});
