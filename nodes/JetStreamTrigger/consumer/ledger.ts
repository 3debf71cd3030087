import type { Ticker } from '../../shared/execution/ticker';
import type { DecodedPayload } from '../../shared/payload/decode';
import type { Delivery } from '../../shared/transport/delivery';
import type { DeadLetterDetails } from './hooks';

/**
 * Who owns a delivered message, and in which state. Every message the server delivered is in the
 * ledger from the moment it arrives until it is answered, and the ledger keeps every one of them
 * alive (`working()` every third of the ack wait), whatever it is doing:
 *
 *   waiting  — read ahead, in line for an execution slot (or filling a batch)
 *   parked   — not now: its key is being processed elsewhere, a store it needs is unreachable, or
 *              its dead-letter copy could not be stored yet; looked at again at `dueAt`
 *   running  — its execution was started (from its admission to its answer)
 *
 * and leaves it through exactly one answer: ack, nak, term, or `release` when the server already has
 * one (the Acknowledge node answered it, or it was dead-lettered and terminated). A redelivered copy
 * of a message the ledger holds is not a new message: the newest delivery replaces the older one, so
 * the message is answered once, through the delivery the server counts.
 */

export type MessageState = 'waiting' | 'parked' | 'running';

export class Tracked {
	/** Changed only through `Ledger.move`, which keeps the counts. */
	state: MessageState = 'waiting';

	/** Set once it was decoded (a parked message is not decoded twice). */
	payload?: DecodedPayload;

	/** Added by a guard for the workflow to see, e.g. schema violations when they are passed on. */
	annotations?: Record<string, unknown>;

	/** When a parked message is looked at again (ms since epoch). */
	dueAt = 0;

	/** How often it was parked for an outage: its retry delay grows with it. */
	outageParks = 0;

	/** A parked message whose dead-letter copy is still to be stored. */
	pendingDeadLetter?: DeadLetterDetails;

	/** The server said it will not deliver this message again (max-deliveries advisory). */
	serverGaveUp = false;

	constructor(public delivery: Delivery) {}

	get sequence(): number {
		return this.delivery.streamSequence;
	}
}

export type Answer = 'ack' | 'nak' | 'term';

export interface LedgerEvents {
	/** A message left the ledger: there is room to ask for another. */
	left(tracked: Tracked, how: Answer | 'released'): void;
	/** A redelivered copy of a message the ledger holds arrived (and replaced the older delivery). */
	repeated(tracked: Tracked, previousDeliveryCount: number): void;
}

export class Ledger {
	private readonly held = new Map<number, Tracked>();

	private readonly counts: Record<MessageState, number> = { waiting: 0, parked: 0, running: 0 };

	private readonly stopKeepAlive: () => void;

	private emptyWaiters: Array<() => void> = [];

	constructor(
		ticker: Ticker,
		keepAliveEveryMs: number,
		private readonly events: LedgerEvents,
	) {
		this.stopKeepAlive = keepAliveEveryMs > 0 ? ticker.every(keepAliveEveryMs, () => this.keepAlive()) : () => undefined;
	}

	get size(): number {
		return this.held.size;
	}

	/** Messages in one state (the loop sizes its pull requests by these). */
	count(state: MessageState): number {
		return this.counts[state];
	}

	move(tracked: Tracked, state: MessageState): void {
		if (this.held.get(tracked.sequence) !== tracked || tracked.state === state) return;
		this.counts[tracked.state]--;
		this.counts[state]++;
		tracked.state = state;
	}

	get(sequence: number): Tracked | undefined {
		return this.held.get(sequence);
	}

	all(): Tracked[] {
		return [...this.held.values()];
	}

	/** A message arrived: a new one to place (returned), or a copy of one held (undefined). */
	receive(delivery: Delivery): Tracked | undefined {
		const known = this.held.get(delivery.streamSequence);
		if (!known) {
			const tracked = new Tracked(delivery);
			this.held.set(delivery.streamSequence, tracked);
			this.counts.waiting++;
			return tracked;
		}
		const previous = known.delivery.deliveryCount;
		known.delivery = delivery;
		this.events.repeated(known, previous);
		return undefined;
	}

	/** Answers the message and lets go of it; a message no longer held is not answered twice. */
	answer(tracked: Tracked, how: Answer, delayMs?: number): void {
		if (this.held.get(tracked.sequence) !== tracked) return;
		if (how === 'ack') tracked.delivery.ack();
		else if (how === 'term') tracked.delivery.term();
		else if (delayMs !== undefined && delayMs > 0) tracked.delivery.nak(delayMs);
		else tracked.delivery.nak();
		this.leave(tracked, how);
	}

	/** Lets go without answering: the server already has its answer. */
	release(tracked: Tracked): void {
		if (this.held.get(tracked.sequence) !== tracked) return;
		this.leave(tracked, 'released');
	}

	isHeld(tracked: Tracked): boolean {
		return this.held.get(tracked.sequence) === tracked;
	}

	/** Resolves once nothing is held any more. */
	async empty(): Promise<void> {
		if (this.held.size === 0) return;
		await new Promise<void>((resolve) => this.emptyWaiters.push(resolve));
	}

	/** Stops keeping messages alive (nothing is left, or the connection is closing). */
	stop(): void {
		this.stopKeepAlive();
	}

	private leave(tracked: Tracked, how: Answer | 'released'): void {
		this.held.delete(tracked.sequence);
		this.counts[tracked.state]--;
		this.events.left(tracked, how);
		if (this.held.size === 0) this.emptyWaiters.splice(0).forEach((resolve) => resolve());
	}

	/** One pass over everything held: still working on it, do not redeliver. */
	private keepAlive(): void {
		for (const tracked of this.held.values()) tracked.delivery.working();
	}
}
