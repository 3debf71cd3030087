import { Ticker } from '../../../nodes/shared/execution/ticker';
import type { Delivery } from '../../../nodes/shared/transport/delivery';
import { Ledger, type Tracked } from '../../../nodes/JetStreamTrigger/consumer/ledger';

/** The ledger: every delivered message owned, kept alive, and answered once. */

function delivery(seq: number, count = 1, answers: string[] = []): Delivery {
	return {
		subject: 's',
		data: new Uint8Array(),
		headers: {},
		stream: 'S',
		consumer: 'c',
		streamSequence: seq,
		consumerSequence: seq,
		deliveryCount: count,
		timestamp: new Date(0).toISOString(),
		pending: 0,
		replySubject: `$JS.ACK.S.c.${count}.${seq}.${seq}.0.0`,
		ack: () => answers.push(`ack ${seq}/${count}`),
		nak: (ms) => answers.push(`nak ${seq}/${count}${ms ? ` ${ms}` : ''}`),
		term: () => answers.push(`term ${seq}/${count}`),
		working: () => answers.push(`wpi ${seq}/${count}`),
	};
}

describe('Ledger', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	const make = (events: string[] = []) =>
		new Ledger(new Ticker(10), 100, {
			left: (t, how) => events.push(`left ${t.sequence} ${how}`),
			repeated: (t, previous) => events.push(`repeated ${t.sequence} ${previous}→${t.delivery.deliveryCount}`),
		});

	it('takes a redelivered copy of a held message as the same message, answered once through the newest delivery', () => {
		const answers: string[] = [];
		const events: string[] = [];
		const ledger = make(events);
		const first = ledger.receive(delivery(7, 1, answers)) as Tracked;
		expect(first).toBeDefined();
		expect(ledger.receive(delivery(7, 2, answers))).toBeUndefined();
		expect(ledger.size).toBe(1);
		expect(first.delivery.deliveryCount).toBe(2);
		ledger.answer(first, 'ack');
		ledger.answer(first, 'nak');
		expect(answers).toEqual(['ack 7/2']);
		expect(events).toEqual(['repeated 7 1→2', 'left 7 ack']);
		expect(ledger.size).toBe(0);
	});

	it('keeps every held message alive, whatever its state, and stops once it is answered', () => {
		const answers: string[] = [];
		const ledger = make();
		const waiting = ledger.receive(delivery(1, 1, answers)) as Tracked;
		const parked = ledger.receive(delivery(2, 1, answers)) as Tracked;
		const running = ledger.receive(delivery(3, 1, answers)) as Tracked;
		ledger.move(parked, 'parked');
		ledger.move(running, 'running');
		jest.advanceTimersByTime(110);
		expect(answers.sort()).toEqual(['wpi 1/1', 'wpi 2/1', 'wpi 3/1']);
		answers.length = 0;
		ledger.answer(waiting, 'nak', 500);
		ledger.release(parked);
		jest.advanceTimersByTime(100);
		expect(answers).toEqual(['nak 1/1 500', 'wpi 3/1']);
		ledger.stop();
		answers.length = 0;
		jest.advanceTimersByTime(500);
		expect(answers).toEqual([]);
	});

	it('counts messages per state as they move, and resolves empty() when the last one leaves', async () => {
		const ledger = make();
		const a = ledger.receive(delivery(1)) as Tracked;
		const b = ledger.receive(delivery(2)) as Tracked;
		ledger.move(a, 'running');
		ledger.move(b, 'parked');
		expect([ledger.count('waiting'), ledger.count('parked'), ledger.count('running')]).toEqual([0, 1, 1]);
		let empty = false;
		const waiting = ledger.empty().then(() => (empty = true));
		ledger.answer(a, 'ack');
		await Promise.resolve();
		expect(empty).toBe(false);
		ledger.release(b);
		await waiting;
		expect([ledger.count('waiting'), ledger.count('parked'), ledger.count('running')]).toEqual([0, 0, 0]);
	});
});
