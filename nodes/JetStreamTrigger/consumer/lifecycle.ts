import { BoundedMap } from '../../shared/execution/boundedMap';
import type { Ticker } from '../../shared/execution/ticker';
import type { DecodedPayload } from '../../shared/payload/decode';
import type { Delivery } from '../../shared/transport/delivery';
import type { DeadLetterDetails } from './hooks';
import { Line } from './line';

/**
 * The life of every message the server delivered to the trigger, from the socket to its one answer.
 * Every delivered message is held here from the moment it arrives until it is answered, and every
 * held message is kept alive (`working()` every third of the ack wait), whatever its state:
 *
 *                 receive               next()                  answer
 *      socket ─────────────▶ waiting ───────────▶ running ─────────────────▶ ✓ ack | nak | term
 *   (a copy of a held        (in line) ◀─due───┐   │   │        release
 *    message is merged                         │   │   └────────────────────▶ ✓ the server has its answer
 *    into it, answered once)                   │   │ park
 *                                              │   ▼
 *                                             parked: busy     its key is processed elsewhere
 *                                                     outage   a store it needs does not answer
 *                                                     deadLetter  its dead-letter copy is not stored yet
 *                                                │
 *                                                └── due, deadLetter ──▶ running (the copy is tried again)
 *
 * Closing: everything waiting, and everything parked but not for its dead letter, goes to running
 * and is handed back by the owner (nak, or dead-lettered on its last delivery); a message parked
 * while closing is handed back at the next look. What runs is answered by its outcome. A running
 * message names the unit that took it, so a unit only ever hands back its own; an answered one says
 * how it left (an Acknowledge node may answer it before its execution started).
 */

export type ParkReason = 'busy' | 'outage' | 'deadLetter';

/** The final answers JetStream accepts: a nak with its redelivery delay (undefined: at once). */
export type Answer = 'ack' | 'term' | { nak: number | undefined };

export type Departure = 'ack' | 'nak' | 'term' | 'released';

/** What an Acknowledge node in the workflow answered ("Later in the workflow"). */
export type WorkflowAnswer = 'ack' | 'nak' | 'term';

export type MessageState =
	| { name: 'waiting' }
	/** `unit`: the unit that took it (a message handed back at close or tried for its dead letter has none). */
	| { name: 'running'; unit?: object }
	| { name: 'parked'; reason: 'busy' | 'outage'; dueAt: number }
	| { name: 'parked'; reason: 'deadLetter'; dueAt: number; details: DeadLetterDetails }
	/** Left the lifecycle; `workflowAnswer` when it was released because an Acknowledge node answered it. */
	| { name: 'answered'; how: Departure; workflowAnswer?: WorkflowAnswer };

/** The states of a held message. */
export type StateName = Exclude<MessageState['name'], 'answered'>;

export class HeldMessage {
	/** Changed only by the lifecycle's transitions. */
	state: MessageState = { name: 'waiting' };

	/** Decoded once: a message that waits is not decoded again. */
	payload?: DecodedPayload;

	/** Added by a guard for the workflow to see, e.g. schema violations when they are passed on. */
	annotations?: Record<string, unknown>;

	/** How often the server delivered it: raised by a redelivered copy and by its max-deliveries advisory. */
	deliveries: number;

	constructor(public delivery: Delivery) {
		this.deliveries = delivery.deliveryCount;
	}

	get sequence(): number {
		return this.delivery.streamSequence;
	}
}

export interface LifecycleOwner {
	/** A parked message whose dead-letter copy is due to be tried again (it is running now). */
	deadLetterDue(message: HeldMessage, details: DeadLetterDetails): void;
	/** The trigger is closing and this message did not run: hand it back (it is running now). */
	handBack(message: HeldMessage, why: string): void;
	/** A message left with its answer: room to ask for another. */
	left(message: HeldMessage, how: Departure): void;
	/** A redelivered copy of a held message arrived (and replaced the older delivery). */
	repeated(message: HeldMessage, previousDeliveries: number): void;
}

/** How often parked messages are looked at. */
const DUE_CHECK_MS = 100;
/** How many sequences answered for good are remembered (a late max-deliveries advisory about one is no loss). */
const RECENT_CAPACITY = 10_000;

export class Lifecycle {
	private readonly held = new Map<number, HeldMessage>();

	private readonly counts: Record<StateName, number> = { waiting: 0, parked: 0, running: 0 };

	/** Waiting messages, oldest first; one back from the parking lot goes to the front (it waited longest). */
	private readonly line = new Line<HeldMessage>();

	private readonly recent = new BoundedMap<number, true>(RECENT_CAPACITY);

	private closing = false;

	private readonly stopKeepAlive: () => void;

	private stopDueCheck?: () => void;

	private emptyWaiters: Array<() => void> = [];

	constructor(
		private readonly ticker: Ticker,
		keepAliveEveryMs: number,
		private readonly owner: LifecycleOwner,
	) {
		this.stopKeepAlive = keepAliveEveryMs > 0 ? ticker.every(keepAliveEveryMs, () => this.keepAlive()) : () => undefined;
	}

	get size(): number {
		return this.held.size;
	}

	count(state: StateName): number {
		return this.counts[state];
	}

	isHeld(message: HeldMessage): boolean {
		return this.held.get(message.sequence) === message;
	}

	get(sequence: number): HeldMessage | undefined {
		return this.held.get(sequence);
	}

	/** Everything held now. */
	messages(): HeldMessage[] {
		return [...this.held.values()];
	}

	/** A message arrived: a new one, returned (in line; while closing, handed back at once), or a copy of one held (merged, undefined). */
	receive(delivery: Delivery): HeldMessage | undefined {
		const known = this.held.get(delivery.streamSequence);
		if (known) {
			const previous = known.deliveries;
			known.delivery = delivery;
			known.deliveries = Math.max(known.deliveries, delivery.deliveryCount);
			this.owner.repeated(known, previous);
			return undefined;
		}
		const message = new HeldMessage(delivery);
		this.held.set(message.sequence, message);
		this.counts.waiting++;
		if (!this.closing) {
			this.line.push(message);
			return message;
		}
		// On the wire when the trigger stopped asking: it goes straight back.
		this.move(message, { name: 'running' });
		this.owner.handBack(message, 'the trigger closed before it ran');
		return message;
	}

	/** The oldest waiting message, now running for `unit`; undefined when `timeoutMs` passed or the signal aborted first. */
	next(signal: AbortSignal, timeoutMs: number | undefined, unit: object): Promise<HeldMessage | undefined> {
		const start = (message: HeldMessage | undefined) => {
			if (message) this.move(message, { name: 'running', unit });
			return message;
		};
		// One waiting now (a backlog): no wait, and no extra turn of the event loop.
		const ready = this.line.shift();
		return ready ? Promise.resolve(start(ready)) : this.line.take(signal, timeoutMs).then(start);
	}

	/** Sets a running message aside until `delayMs` from now, still held and kept alive. */
	park(message: HeldMessage, reason: 'busy' | 'outage', delayMs: number): void;
	park(message: HeldMessage, reason: 'deadLetter', delayMs: number, details: DeadLetterDetails): void;
	park(message: HeldMessage, reason: ParkReason, delayMs: number, details?: DeadLetterDetails): void {
		if (!this.isHeld(message)) return;
		// Once closing, a message set aside goes back at the next look (unless its dead-letter copy is due).
		const dueAt = Date.now() + (this.closing && reason !== 'deadLetter' ? 0 : delayMs);
		this.move(message, reason === 'deadLetter' ? { name: 'parked', reason, dueAt, details: details! } : { name: 'parked', reason, dueAt });
		this.stopDueCheck ??= this.ticker.every(DUE_CHECK_MS, () => this.due());
	}

	/** Answers the message and lets go of it; a message no longer held is not answered twice. */
	answer(message: HeldMessage, answer: Answer): void {
		if (!this.isHeld(message)) return;
		if (answer === 'ack') message.delivery.ack();
		else if (answer === 'term') message.delivery.term();
		else message.delivery.nak(answer.nak !== undefined && answer.nak > 0 ? answer.nak : undefined);
		this.leave(message, typeof answer === 'string' ? answer : 'nak');
	}

	/** Lets go without answering: the server already has its answer (`workflowAnswer`: an Acknowledge node's). */
	release(message: HeldMessage, workflowAnswer?: WorkflowAnswer): void {
		if (this.isHeld(message)) this.leave(message, 'released', workflowAnswer);
	}

	/**
	 * The server says it delivered a message `deliveries` times and will not again (max-deliveries
	 * advisory). True when the trigger holds it (its outcome decides, as on a last delivery) or
	 * answered it for good lately: then it is not lost.
	 */
	serverGaveUp(sequence: number, deliveries: number): boolean {
		const message = this.held.get(sequence);
		if (message) {
			message.deliveries = Math.max(message.deliveries, deliveries);
			return true;
		}
		return this.recent.has(sequence);
	}

	/**
	 * Closing: from now on nothing waits in line. Returns the messages to hand back — everything that
	 * waited, and everything parked but not for its dead letter — each now running.
	 */
	close(): HeldMessage[] {
		this.closing = true;
		const back = this.line.drain();
		for (const message of this.held.values()) {
			if (message.state.name === 'parked' && message.state.reason !== 'deadLetter') back.push(message);
		}
		back.forEach((message) => this.move(message, { name: 'running' }));
		return back;
	}

	/** Resolves once nothing is held any more. */
	async empty(): Promise<void> {
		if (this.held.size === 0) return;
		await new Promise<void>((resolve) => this.emptyWaiters.push(resolve));
	}

	/** Stops the timers for good (the connection is closing); what is still held is redelivered after its ack wait. */
	stop(): void {
		this.stopKeepAlive();
		this.stopDueCheck?.();
		this.stopDueCheck = undefined;
	}

	private move(message: HeldMessage, state: Exclude<MessageState, { name: 'answered' }>): void {
		if (message.state.name !== 'answered') this.counts[message.state.name]--;
		this.counts[state.name]++;
		message.state = state;
	}

	private leave(message: HeldMessage, how: Departure, workflowAnswer?: WorkflowAnswer): void {
		this.held.delete(message.sequence);
		if (message.state.name === 'waiting') this.line.remove(message);
		if (message.state.name !== 'answered') this.counts[message.state.name]--;
		message.state = { name: 'answered', how, workflowAnswer };
		if (how !== 'nak') this.remember(message.sequence);
		this.owner.left(message, how);
		if (this.held.size === 0) this.emptyWaiters.splice(0).forEach((resolve) => resolve());
	}

	private remember(sequence: number): void {
		this.recent.set(sequence, true);
	}

	/** Parked messages whose time has come: dead-letter copies are tried again, the rest get back in line (or, closing, go back). */
	private due(): void {
		const now = Date.now();
		let parked = 0;
		for (const message of this.held.values()) {
			const state = message.state;
			if (state.name !== 'parked') continue;
			parked++;
			if (state.dueAt > now) continue;
			this.move(message, state.reason === 'deadLetter' || this.closing ? { name: 'running' } : { name: 'waiting' });
			if (state.reason === 'deadLetter') this.owner.deadLetterDue(message, state.details);
			else if (this.closing) this.owner.handBack(message, 'the trigger closed while it waited');
			else this.line.push(message, 'front');
		}
		if (parked === 0) {
			this.stopDueCheck?.();
			this.stopDueCheck = undefined;
		}
	}

	/** One pass over everything held: still working on it, do not redeliver. */
	private keepAlive(): void {
		for (const message of this.held.values()) message.delivery.working();
	}
}

/** working() every third of the ack wait, so neither a long execution nor a wait in line outlives it. */
export function keepAliveInterval(ackWaitMs: number): number {
	return Math.max(100, Math.floor(ackWaitMs / 3));
}
