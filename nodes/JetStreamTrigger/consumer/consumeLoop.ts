import { forFeature } from '../../shared/errorMapping';
import type { Outcome } from '../../shared/execution/emitter';
import { sleep, withinDeadline } from '../../shared/execution/sleep';
import { Slots } from '../../shared/execution/slots';
import type { Ticker } from '../../shared/execution/ticker';
import type { TransportLogger } from '../../shared/transport/connect';
import type { TriggerConsumer } from '../../shared/transport/consume';
import type { Delivery } from '../../shared/transport/delivery';
import type { Puller, PullStatus } from '../../shared/transport/pull';
import type { TriggerSettings } from '../settings';
import { CircuitBreaker } from './circuitBreaker';
import { FEATURE } from './featureNames';
import { Ledger, type Answer, type Tracked } from './ledger';
import type { UnitProcessor } from './processor';
import { RateLimiter } from './rateLimiter';
import { RateMeter } from './rateMeter';
import { ReadyQueue } from './readyQueue';
import { RecentAnswers } from './recentAnswers';

export interface LoopEvents {
	/** The trigger cannot go on (consumer or stream deleted, connection closed): n8n should reactivate it. */
	fatal(error: Error): void;
	/** The server reported the consumer missing: see whether it is back, re-create it if the node manages it. */
	recover(): Promise<'back' | 'recreated' | 'gone'>;
}

/** How often parked messages are looked at. */
const PARK_CHECK_MS = 100;
/** Read ahead what the slots take in this long at the current pace (when that is more than twice the limit)… */
const READ_AHEAD_WINDOW_S = 0.1;
/**
 * …but not more than this many (or twice the limit, if that is more): the pace gains little beyond it,
 * and a million-message drain keeps its memory growth under 50 MB (bench/RESULTS.md: 128 → 124 MB).
 */
const MAX_READ_AHEAD = 64;
/** How long closing waits for the messages already on their way to arrive (then hands them back too). */
const DRAIN_MS = 2_000;

/**
 * The consume path. Asks the server for only as many messages as it can hold and keep alive (the
 * read-ahead, sized from the parallel limit), places every delivered message in the ledger, and
 * hands them to the processor one execution slot at a time — one message, or a batch. Owns the rate
 * limiter, the circuit breaker and the parking lot (messages that must wait without an execution
 * slot). At most `parallel` executions plus the read-ahead are unacknowledged at any time.
 *
 * `close()` stops asking, takes in what was already on the wire, hands back everything that did not
 * start, and returns. Executions still running are not interrupted: n8n finishes them, and their
 * messages are answered by their outcome when they end (`settled()` resolves then).
 */
export class ConsumeLoop {
	readonly ledger: Ledger;

	private readonly stopping = new AbortController();

	private readonly slots: Slots;

	private readonly limiter?: RateLimiter;

	private readonly breaker?: CircuitBreaker;

	private readonly ready = new ReadyQueue();

	private readonly recent = new RecentAnswers();

	/** Units finished per second: sizes the read-ahead for fast executions. */
	private readonly pace = new RateMeter();

	private puller?: Puller;

	/** Made at start(): it needs the loop's ledger and parking lot. */
	private processor!: UnitProcessor;

	private dispatching: Promise<void> = Promise.resolve();

	private closing?: Promise<void>;

	private recovering?: Promise<void>;

	private failedFatally = false;

	private stopParkCheck?: () => void;

	/** Units being processed (admission, execution, answers): settled() waits for them. */
	private readonly units = new Set<Promise<void>>();

	private manualDone = false;

	constructor(
		private readonly consumer: TriggerConsumer,
		private readonly processorFor: (loop: ConsumeLoop) => UnitProcessor,
		private readonly settings: TriggerSettings,
		private readonly logger: TransportLogger,
		private readonly ticker: Ticker,
		private readonly events: LoopEvents,
	) {
		this.slots = new Slots(settings.parallel);
		if (settings.rateLimitPerSecond) this.limiter = new RateLimiter(settings.rateLimitPerSecond);
		if (settings.circuitBreaker) this.breaker = new CircuitBreaker(settings.circuitBreaker, (m) => logger.warn(m));
		const keepAliveMs = settings.manual ? 0 : keepAliveInterval(consumer.facts.ackWaitMs);
		this.ledger = new Ledger(ticker, keepAliveMs, {
			left: (tracked, how) => this.left(tracked, how),
			repeated: (tracked, previous) =>
				logger.debug(`Message ${tracked.sequence} came again (delivery ${tracked.delivery.deliveryCount} after ${previous}) while the trigger holds it; it is answered once`),
		});
	}

	get stopped(): boolean {
		return this.stopping.signal.aborted;
	}

	/**
	 * Messages read ahead of the execution slots, so the next ones are at hand when a slot frees (with
	 * too few the loop waits on the server: bench/): twice what the slots take at once, or — when
	 * executions are fast — what they take in the next 100 ms at the current pace, up to 64. Slow
	 * executions therefore get a small read-ahead and no message waits in line for long; all of them
	 * are kept alive while they wait, and the total unacknowledged stays parallel + read-ahead.
	 */
	get readAhead(): number {
		const unit = this.settings.batch?.size ?? 1;
		if (this.settings.manual) return unit;
		const base = 2 * (this.settings.batch ? unit : this.settings.parallel);
		const paced = Math.ceil(this.pace.perSecond() * unit * READ_AHEAD_WINDOW_S);
		return Math.max(base, Math.min(MAX_READ_AHEAD, paced));
	}

	start(): void {
		this.processor = this.processorFor(this);
		this.puller = this.consumer.pull({
			message: (delivery) => this.arrived(delivery),
			credit: () => this.topUp(),
			status: (status) => this.onStatus(status),
			answerFailed: (error, count) =>
				this.logger.warn(`${count} answer(s) to the server could not be sent (${error.message}); those messages are delivered again after their ack wait`),
		});
		this.dispatching = this.dispatch().catch((error: unknown) => this.fail(error as Error));
		this.topUp();
	}

	/** Stops pulling and hands back what did not start; running executions end on their own. */
	async close(timeoutMs: number): Promise<void> {
		this.closing ??= this.shutDown(timeoutMs);
		await this.closing;
	}

	/** Resolves when every message the trigger held was answered (after close: the running ones too). */
	async settled(): Promise<void> {
		while (this.units.size > 0) await Promise.all(this.units);
		await this.ledger.empty();
		this.puller?.flushAnswers();
	}

	/** Stops the timers for good (the connection is about to close); what is still held is redelivered after its ack wait. */
	finish(): void {
		this.stopParkCheck?.();
		this.stopParkCheck = undefined;
		this.ledger.stop();
		this.puller?.flushAnswers();
	}

	/** The server gave up on a message (max-deliveries advisory): true when the trigger holds or answered it. */
	claimAdvisory(sequence: number): boolean {
		const held = this.ledger.get(sequence);
		if (held) {
			held.serverGaveUp = true;
			return true;
		}
		return this.recent.has(sequence);
	}

	/** An Acknowledge node in the workflow answered a message the trigger holds ("Later in the workflow"). */
	answeredInWorkflow(sequence: number, kind: 'ack' | 'nak' | 'term'): void {
		const tracked = this.ledger.get(sequence);
		if (tracked) this.track(this.processor.answeredInWorkflow(tracked, kind), `Recording the Acknowledge node's answer for message ${sequence}`);
	}

	/** Work on held messages outside an execution slot; settled() waits for it, and a failure is logged, never thrown. */
	private track(work: Promise<void>, what: string): void {
		const done = work.catch((error: unknown) => this.logger.error(`${what} failed unexpectedly: ${(error as Error).message}`)).finally(() => this.units.delete(done));
		this.units.add(done);
	}

	/** Sets a message aside until `retryInMs` from now, still held and kept alive, without a slot. */
	park(tracked: Tracked, retryInMs: number): void {
		// Once closing, a message set aside goes back at the next look (unless its dead-letter copy is due).
		tracked.dueAt = Date.now() + (this.stopped && !tracked.pendingDeadLetter ? 0 : retryInMs);
		this.ledger.move(tracked, 'parked');
		this.stopParkCheck ??= this.ticker.every(PARK_CHECK_MS, () => this.unpark());
		this.topUp();
	}

	private async shutDown(timeoutMs: number): Promise<void> {
		this.stopping.abort();
		await this.dispatching;
		await this.puller?.close(Math.min(DRAIN_MS, Math.max(100, timeoutMs)));
		const back = [...this.ready.drain(), ...this.ledger.all().filter((t) => t.state === 'parked' && !t.pendingDeadLetter)];
		const handedBack = Promise.all(back.map(async (t) => await this.processor.handBack(t, 'the trigger closed before it ran')));
		if (!(await withinDeadline(handedBack, timeoutMs))) this.logger.warn(`Handing messages back took longer than ${timeoutMs / 1000} s; the rest are delivered again after their ack wait`);
		this.puller?.flushAnswers();
		const running = this.ledger.count('running') + this.ledger.count('parked');
		if (running > 0) {
			this.logger.info(`${running} message(s) still being processed; they are acknowledged or retried by their outcome when their executions end`);
		}
	}

	private arrived(delivery: Delivery): void {
		// A copy of a message already held is merged into it by the ledger: nothing new to line up.
		const tracked = this.ledger.receive(delivery);
		if (tracked) this.ready.push(tracked);
		this.topUp();
	}

	/** Asks for more when the read-ahead has room for at least half of it (one request, not one per message). */
	private topUp(): void {
		const puller = this.puller;
		if (!puller || this.stopped || this.failedFatally || this.manualDone || this.breaker?.state === 'open') return;
		const queued = this.ledger.count('waiting') + this.ledger.count('parked');
		const free = this.readAhead - queued - puller.outstanding;
		if (free >= Math.max(1, Math.ceil(this.readAhead / 2))) puller.request(free);
	}

	private left(tracked: Tracked, how: Answer | 'released'): void {
		if (how !== 'nak') this.recent.add(tracked.sequence);
		this.topUp();
	}

	private async dispatch(): Promise<void> {
		while (!this.stopped) {
			if (this.breaker?.state === 'open') {
				await sleep(this.breaker.remainingMs(), this.stopping.signal);
				this.breaker.tryHalfOpen();
				this.slots.setCapacity(1);
				this.topUp();
				continue;
			}
			if (!(await this.gate())) return;
			const unit = await this.collect();
			if (unit.length === 0) {
				this.slots.release();
				continue;
			}
			this.run(unit);
			if (this.settings.manual) {
				this.manualDone = true;
				return;
			}
		}
	}

	/** A free slot and a rate-limit token; false when closing. */
	private async gate(): Promise<boolean> {
		if (!(await this.slots.acquire(this.stopping.signal))) return false;
		if (!this.limiter || (await this.limiter.take(this.stopping.signal))) return true;
		this.slots.release();
		return false;
	}

	/** One message, or a batch: up to its size or until its max wait has passed since the first one. */
	private async collect(): Promise<Tracked[]> {
		const size = this.settings.batch?.size ?? 1;
		const signal = this.stopping.signal;
		const first = await this.ready.take(signal);
		if (!first) return [];
		const unit = [first];
		const closeAt = Date.now() + (this.settings.batch?.maxWaitMs ?? 0);
		while (unit.length < size && !this.stopped) {
			const next = await this.ready.take(signal, Math.max(0, closeAt - Date.now()));
			if (!next) break;
			unit.push(next);
		}
		if (this.stopped) {
			// Taken out of line but never started: back in line, so closing hands them back.
			unit.reverse().forEach((t) => this.ready.unshift(t));
			return [];
		}
		return unit;
	}

	private run(unit: Tracked[]): void {
		const done = this.processor
			.process(unit)
			.then((outcome) => this.afterExecution(outcome))
			.catch((error: unknown) => this.unitFailed(unit, error as Error))
			.finally(() => {
				this.units.delete(done);
				this.pace.record();
				this.slots.release();
				this.topUp();
			});
		this.units.add(done);
	}

	private afterExecution(outcome: Outcome | undefined): void {
		if (!this.breaker || outcome === undefined) return;
		this.breaker.record(outcome === 'success');
		if (this.breaker.state === 'closed') this.slots.setCapacity(this.settings.parallel);
	}

	private async unitFailed(unit: Tracked[], error: Error): Promise<void> {
		if (this.settings.manual) {
			this.fail(error);
			return;
		}
		this.logger.error(`Processing message(s) failed unexpectedly: ${error.message}; they will be delivered again`);
		await Promise.all(unit.map(async (t) => await this.processor.handBack(t, 'processing it failed unexpectedly')));
	}

	/**
	 * Parked messages whose time has come: dead-letter copies are tried again, the rest get back in
	 * line — or, once the trigger is closing, are handed back.
	 */
	private unpark(): void {
		const now = Date.now();
		let parked = 0;
		for (const tracked of this.ledger.all()) {
			if (tracked.state !== 'parked') continue;
			parked++;
			if (tracked.dueAt > now) continue;
			if (tracked.pendingDeadLetter) {
				this.ledger.move(tracked, 'running');
				this.track(this.processor.retryDeadLetter(tracked), `Dead-lettering message ${tracked.sequence}`);
			} else if (this.stopped) {
				this.ledger.move(tracked, 'running');
				this.track(this.processor.handBack(tracked, 'the trigger closed while it waited'), `Handing message ${tracked.sequence} back`);
			} else {
				this.ledger.move(tracked, 'waiting');
				this.ready.unshift(tracked);
			}
		}
		if (parked === 0) {
			this.stopParkCheck?.();
			this.stopParkCheck = undefined;
		}
	}

	private onStatus(status: PullStatus): void {
		switch (status.type) {
			case 'consumer_deleted':
			case 'consumer_not_found':
				this.consumerGone();
				return;
			case 'stream_not_found':
				this.fail(new Error(`Stream "${this.settings.stream}" was deleted while the trigger was reading from it`));
				return;
			case 'refused':
				this.fail(status.error ? (forFeature(status.error, FEATURE.trigger) as Error) : new Error(`The server refused the trigger's subscription: ${status.description}`));
				return;
			case 'exceeded_limits':
				this.logger.warn(`The consumer refused a pull request: ${status.description}`);
				return;
			default:
				this.logger.debug(`Consumer status ${status.type}: ${status.description}`);
		}
	}

	private consumerGone(): void {
		if (this.stopped || this.failedFatally || this.recovering) return;
		if (this.settings.manual) {
			this.fail(new Error(`The test-run consumer on stream "${this.settings.stream}" disappeared`));
			return;
		}
		this.recovering = this.events
			.recover()
			.then((outcome) => {
				if (outcome === 'gone') {
					this.fail(new Error(`Consumer "${this.settings.durableName}" on stream "${this.settings.stream}" was deleted while the trigger was bound to it`));
					return;
				}
				if (outcome === 'recreated') this.logger.warn(`Consumer "${this.settings.durableName}" was deleted; re-created it from the node settings`);
				else this.logger.info(`Consumer "${this.settings.durableName}" is available again (server restart); resuming`);
				this.puller?.forget();
				this.topUp();
			})
			.catch((error: unknown) => this.fail(error as Error))
			.finally(() => {
				this.recovering = undefined;
			});
	}

	/** Stops reading for good and reports the error (n8n deactivates the trigger and retries activation). */
	fail(error: Error): void {
		if (this.stopped || this.failedFatally) return;
		this.failedFatally = true;
		this.events.fatal(error);
	}
}

/** working() every third of the ack wait, so neither a long execution nor a wait in line outlives it. */
export function keepAliveInterval(ackWaitMs: number): number {
	return Math.max(100, Math.floor(ackWaitMs / 3));
}
