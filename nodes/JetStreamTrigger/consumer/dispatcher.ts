import type { Outcome } from '../../shared/execution/emitter';
import { sleep } from '../../shared/execution/sleep';
import { Slots } from '../../shared/execution/slots';
import type { TransportLogger } from '../../shared/transport/connect';
import type { TriggerSettings } from '../settings';
import { CircuitBreaker } from './circuitBreaker';
import type { HeldMessage, Lifecycle } from './lifecycle';
import type { Unit, UnitProcessor } from './processor';
import { RateLimiter } from './rateLimiter';
import { RateMeter } from './rateMeter';

/** What the dispatcher needs of the loop it serves. */
export interface DispatchHost {
	readonly stopped: boolean;
	/** There may be room to ask for more. */
	topUp(): void;
	/** Work on held messages that settling waits for. */
	track(work: Promise<void>, what: string): Promise<void>;
	handBack(message: HeldMessage, why: string): void;
	/** A test run has its message: nothing more is read. */
	testRunDone(): void;
	/** The circuit opened: nothing is pulled until `untilMs`, the end of the cool-down. */
	circuitOpened(untilMs: number): void;
}

/**
 * Runs held messages one execution slot at a time: a free slot and a rate-limit token, then one
 * message — or a batch, up to its size or max wait — from the line, then the processor. Owns the
 * parallel limit, the rate limiter, the circuit breaker, and the pace the read-ahead is sized by.
 */
export class Dispatcher {
	private readonly slots: Slots;

	private readonly limiter?: RateLimiter;

	private readonly breaker?: CircuitBreaker;

	/** Units finished per second. */
	private readonly pace = new RateMeter();

	constructor(
		private readonly settings: TriggerSettings,
		private readonly lifecycle: Lifecycle,
		private readonly processor: UnitProcessor,
		private readonly host: DispatchHost,
		logger: TransportLogger,
	) {
		this.slots = new Slots(settings.parallel);
		if (settings.rateLimitPerSecond) this.limiter = new RateLimiter(settings.rateLimitPerSecond);
		if (settings.circuitBreaker) this.breaker = new CircuitBreaker(settings.circuitBreaker, (m) => logger.warn(m));
	}

	/** While the circuit is open nothing is pulled. */
	get paused(): boolean {
		return this.breaker?.state === 'open';
	}

	get unitsPerSecond(): number {
		return this.pace.perSecond();
	}

	/** Takes units until the loop stops. */
	async run(signal: AbortSignal): Promise<void> {
		while (!this.host.stopped) {
			if (!(await this.gate(signal))) return;
			if (this.paused) {
				// Opened while this waited for a slot: what is in line waits too (kept alive) until the trial.
				this.slots.release();
				await sleep(this.breaker!.remainingMs() + 10, signal);
				continue;
			}
			const unit = await this.collect(signal);
			if (unit.messages.length === 0) {
				this.slots.release();
				continue;
			}
			this.start(unit);
			if (this.settings.manual) {
				this.host.testRunDone();
				return;
			}
		}
	}

	/** A free slot and a rate-limit token; false when stopped. */
	private async gate(signal: AbortSignal): Promise<boolean> {
		if (!(await this.slots.acquire(signal))) return false;
		if (!this.limiter || (await this.limiter.take(signal))) return true;
		this.slots.release();
		return false;
	}

	/** One message, or a batch: up to its size or until its max wait has passed since the first one. */
	private async collect(signal: AbortSignal): Promise<Unit> {
		const { batch } = this.settings;
		const unit: Unit = { messages: [] };
		const first = await this.lifecycle.next(signal, undefined, unit);
		if (!first) return unit;
		unit.messages.push(first);
		const closeAt = Date.now() + (batch?.maxWaitMs ?? 0);
		while (unit.messages.length < (batch?.size ?? 1) && !this.host.stopped) {
			const next = await this.lifecycle.next(signal, Math.max(0, closeAt - Date.now()), unit);
			if (!next) break;
			unit.messages.push(next);
		}
		if (!this.host.stopped) return unit;
		// Taken out of line but never started.
		unit.messages.forEach((m) => this.host.handBack(m, 'the trigger closed before it ran'));
		return { messages: [] };
	}

	private start(unit: Unit): void {
		const done = this.processor
			.process(unit)
			.then((outcome) => this.afterExecution(outcome))
			.catch(async (error: unknown) => await this.processor.failed(unit, error as Error))
			.finally(() => {
				this.pace.record();
				this.slots.release();
				this.host.topUp();
			});
		void this.host.track(done, 'Processing message(s)');
	}

	private afterExecution(outcome: Outcome | undefined): void {
		const breaker = this.breaker;
		if (!breaker || outcome === undefined) return;
		const wasOpen = breaker.state === 'open';
		breaker.record(outcome === 'success');
		if (breaker.state === 'closed') this.slots.setCapacity(this.settings.parallel);
		if (breaker.state === 'open' && !wasOpen) {
			this.host.circuitOpened(Date.now() + breaker.remainingMs());
			this.halfOpenAfterCoolDown(breaker);
		}
	}

	/**
	 * The trial after the cool-down is started by a timer of its own: the loop may be waiting for a
	 * message in line that will not come, since nothing is pulled while the circuit is open.
	 */
	private halfOpenAfterCoolDown(breaker: CircuitBreaker): void {
		breaker.afterCoolDown(() => {
			this.slots.setCapacity(1);
			this.host.topUp();
		});
	}
}
