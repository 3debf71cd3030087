import { Ticker } from '../../../nodes/shared/execution/ticker';
import type { Delivery } from '../../../nodes/shared/transport/delivery';
import { Lifecycle, type HeldMessage, type LifecycleOwner } from '../../../nodes/JetStreamTrigger/consumer/lifecycle';

/** The lifecycle: every delivered message owned, kept alive, answered once, handed back once. */

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
		storedAtMs: 0,
		pending: 0,
		replySubject: `$JS.ACK.S.c.${count}.${seq}.${seq}.0.0`,
		ack: () => answers.push(`ack ${seq}/${count}`),
		nak: (ms) => answers.push(`nak ${seq}/${count}${ms ? ` ${ms}` : ''}`),
		term: () => answers.push(`term ${seq}/${count}`),
		working: () => answers.push(`wpi ${seq}/${count}`),
	};
}

const signal = () => new AbortController().signal;
/** The unit a test takes messages for. */
const unit = {};

describe('Lifecycle', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	const make = (events: string[] = []) => {
		const holder: { lifecycle?: Lifecycle } = {};
		const owner: LifecycleOwner = {
			deadLetterDue: (m) => events.push(`deadLetterDue ${m.sequence}`),
			handBack: (m, why) => {
				events.push(`handBack ${m.sequence} (${why})`);
				holder.lifecycle?.answer(m, { nak: undefined });
			},
			left: (m, how) => events.push(`left ${m.sequence} ${how}`),
			repeated: (m, previous) => events.push(`repeated ${m.sequence} ${previous}→${m.deliveries}`),
		};
		holder.lifecycle = new Lifecycle(new Ticker(10), 100, owner);
		return holder.lifecycle;
	};

	it('takes a redelivered copy of a held message as the same message, answered once through the newest delivery', () => {
		const answers: string[] = [];
		const events: string[] = [];
		const lifecycle = make(events);
		const first = lifecycle.receive(delivery(7, 1, answers)) as HeldMessage;
		expect(first).toBeDefined();
		expect(lifecycle.receive(delivery(7, 2, answers))).toBeUndefined();
		expect(lifecycle.size).toBe(1);
		expect(first.delivery.deliveryCount).toBe(2);
		expect(first.deliveries).toBe(2);
		lifecycle.answer(first, 'ack');
		lifecycle.answer(first, { nak: 100 });
		expect(answers).toEqual(['ack 7/2']);
		expect(events).toEqual(['repeated 7 1→2', 'left 7 ack']);
		expect(lifecycle.size).toBe(0);
	});

	it('hands out waiting messages oldest first, each now running; one back from parking goes to the front', async () => {
		const lifecycle = make();
		const [a, b, c] = [1, 2, 3].map((seq) => lifecycle.receive(delivery(seq)) as HeldMessage);
		const first = await lifecycle.next(signal(), undefined, unit);
		expect(first).toBe(a);
		expect(a.state).toEqual({ name: 'running', unit });
		lifecycle.park(a, 'busy', 150);
		expect(a.state).toMatchObject({ name: 'parked', reason: 'busy' });
		jest.advanceTimersByTime(200);
		expect(a.state).toEqual({ name: 'waiting' });
		expect(await lifecycle.next(signal(), undefined, unit)).toBe(a);
		expect(await lifecycle.next(signal(), undefined, unit)).toBe(b);
		expect(await lifecycle.next(signal(), undefined, unit)).toBe(c);
		expect([lifecycle.count('waiting'), lifecycle.count('parked'), lifecycle.count('running')]).toEqual([0, 0, 3]);
	});

	it('keeps every held message alive, whatever its state, and stops once it is answered', async () => {
		const answers: string[] = [];
		const lifecycle = make();
		const waiting = lifecycle.receive(delivery(1, 1, answers)) as HeldMessage;
		lifecycle.receive(delivery(2, 1, answers));
		lifecycle.receive(delivery(3, 1, answers));
		await lifecycle.next(signal(), undefined, unit);
		const parked = (await lifecycle.next(signal(), undefined, unit)) as HeldMessage;
		lifecycle.park(parked, 'outage', 10_000);
		jest.advanceTimersByTime(110);
		expect(answers.sort()).toEqual(['wpi 1/1', 'wpi 2/1', 'wpi 3/1']);
		answers.length = 0;
		lifecycle.answer(waiting, { nak: 500 });
		lifecycle.release(parked);
		jest.advanceTimersByTime(100);
		expect(answers).toEqual(['nak 1/1 500', 'wpi 3/1']);
		lifecycle.stop();
		answers.length = 0;
		jest.advanceTimersByTime(500);
		expect(answers).toEqual([]);
	});

	it('tries a parked dead-letter copy again when it is due, with its details', async () => {
		const events: string[] = [];
		const lifecycle = make(events);
		lifecycle.receive(delivery(4));
		const m = (await lifecycle.next(signal(), undefined, unit)) as HeldMessage;
		lifecycle.park(m, 'deadLetter', 200, { kind: 'poison', error: new Error('bad') });
		jest.advanceTimersByTime(150);
		expect(events).toEqual([]);
		jest.advanceTimersByTime(100);
		expect(events).toEqual(['deadLetterDue 4']);
		expect(m.state).toEqual({ name: 'running' });
	});

	it('hands back at close what waits and what is parked (not for its dead letter), each exactly once', async () => {
		const answers: string[] = [];
		const events: string[] = [];
		const lifecycle = make(events);
		for (const seq of [1, 2, 3, 4]) lifecycle.receive(delivery(seq, 1, answers));
		const busy = (await lifecycle.next(signal(), undefined, unit)) as HeldMessage;
		const deadLetter = (await lifecycle.next(signal(), undefined, unit)) as HeldMessage;
		lifecycle.park(busy, 'busy', 100);
		lifecycle.park(deadLetter, 'deadLetter', 10_000, { kind: 'exhausted', error: new Error('x') });
		const back = lifecycle.close();
		expect(back.map((m) => m.sequence).sort()).toEqual([1, 3, 4]);
		back.forEach((m) => expect(m.state).toEqual({ name: 'running', unit: undefined }));
		// The due check passes the parked one's time: it must not be handed back a second time.
		back.forEach((m) => lifecycle.answer(m, { nak: undefined }));
		jest.advanceTimersByTime(300);
		expect(events.filter((e) => e.startsWith('handBack'))).toEqual([]);
		expect(answers.filter((a) => a.startsWith('nak')).sort()).toEqual(['nak 1/1', 'nak 3/1', 'nak 4/1']);
		// A message that arrives after closing (it was on the wire) goes straight back.
		lifecycle.receive(delivery(9, 1, answers));
		expect(events).toContain('handBack 9 (the trigger closed before it ran)');
	});

	it('hands back at the next look, once, a message parked while closing', async () => {
		const events: string[] = [];
		const lifecycle = make(events);
		lifecycle.receive(delivery(1));
		const running = (await lifecycle.next(signal(), undefined, unit)) as HeldMessage;
		expect(lifecycle.close()).toEqual([]);
		// Its admission ends after the close began: its key is busy elsewhere, so it would wait a second.
		lifecycle.park(running, 'busy', 1_000);
		jest.advanceTimersByTime(150);
		expect(events.filter((e) => e.startsWith('handBack'))).toEqual(['handBack 1 (the trigger closed while it waited)']);
		jest.advanceTimersByTime(2_000);
		expect(events.filter((e) => e.startsWith('handBack'))).toHaveLength(1);
	});

	it('remembers what the server gave up on: held (its delivery count raised) or answered lately', async () => {
		const lifecycle = make();
		const held = lifecycle.receive(delivery(5, 2)) as HeldMessage;
		expect(lifecycle.serverGaveUp(5, 4)).toBe(true);
		expect(held.deliveries).toBe(4);
		const other = lifecycle.receive(delivery(6)) as HeldMessage;
		lifecycle.answer(other, 'ack');
		expect(lifecycle.serverGaveUp(6, 4)).toBe(true);
		const nakd = lifecycle.receive(delivery(7)) as HeldMessage;
		lifecycle.answer(nakd, { nak: 10 });
		expect(lifecycle.serverGaveUp(7, 4)).toBe(false);
		expect(lifecycle.serverGaveUp(8, 4)).toBe(false);
	});

	it('counts messages per state as they move, and resolves empty() when the last one leaves', async () => {
		const lifecycle = make();
		lifecycle.receive(delivery(1));
		lifecycle.receive(delivery(2));
		const a = (await lifecycle.next(signal(), undefined, unit)) as HeldMessage;
		const b = (await lifecycle.next(signal(), undefined, unit)) as HeldMessage;
		lifecycle.park(b, 'busy', 1_000);
		expect([lifecycle.count('waiting'), lifecycle.count('parked'), lifecycle.count('running')]).toEqual([0, 1, 1]);
		let empty = false;
		const waiting = lifecycle.empty().then(() => (empty = true));
		lifecycle.answer(a, 'ack');
		await Promise.resolve();
		expect(empty).toBe(false);
		lifecycle.release(b);
		await waiting;
		expect([lifecycle.count('waiting'), lifecycle.count('parked'), lifecycle.count('running')]).toEqual([0, 0, 0]);
	});

	it('says how a message left: answered, or released because an Acknowledge node answered it', async () => {
		const lifecycle = make();
		const acked = lifecycle.receive(delivery(1)) as HeldMessage;
		const released = lifecycle.receive(delivery(2)) as HeldMessage;
		lifecycle.answer(acked, 'ack');
		await lifecycle.next(signal(), undefined, unit);
		lifecycle.release(released, 'nak');
		expect(acked.state).toEqual({ name: 'answered', how: 'ack', workflowAnswer: undefined });
		expect(released.state).toEqual({ name: 'answered', how: 'released', workflowAnswer: 'nak' });
		expect([lifecycle.count('waiting'), lifecycle.count('parked'), lifecycle.count('running')]).toEqual([0, 0, 0]);
	});

	it('names the unit a running message runs for, so a message parked and taken by another unit is not the first one\'s', async () => {
		const lifecycle = make();
		const first = {};
		const second = {};
		lifecycle.receive(delivery(1));
		const m = (await lifecycle.next(signal(), undefined, first)) as HeldMessage;
		lifecycle.park(m, 'busy', 100);
		jest.advanceTimersByTime(150);
		expect(await lifecycle.next(signal(), undefined, second)).toBe(m);
		expect(m.state).toEqual({ name: 'running', unit: second });
	});
});
