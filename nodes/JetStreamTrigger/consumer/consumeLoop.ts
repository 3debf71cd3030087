import type { Outcome } from '../../shared/execution/emitter';
import { sleep } from '../../shared/execution/sleep';
import { Slots } from '../../shared/execution/slots';
import type { TransportLogger } from '../../shared/transport/connect';
import type { ConsumeSession, ConsumeStatus, Delivery, TriggerConsumer } from '../../shared/transport/consume';
import type { TriggerSettings } from '../settings';
import { CircuitBreaker } from './circuitBreaker';
import { Unit, type UnitProcessor } from './processor';
import { RateLimiter } from './rateLimiter';
import { SessionReader } from './reader';

export interface LoopEvents {
	/** The trigger cannot go on (consumer or stream deleted, connection closed): n8n should reactivate it. */
	fatal(error: Error): void;
	/** The server reported the consumer missing: see whether it is back, re-create it if the node manages it. */
	recover(): Promise<'back' | 'recreated' | 'gone'>;
}

/** Pause before reopening a session that ended without being asked to (rare: connection closed). */
const RESTART_PAUSE_MS = 1_000;

/**
 * Pulls messages with `consume()` and hands them to the processor, never more executions at once
 * than the parallel limit; the pulls and the read-ahead follow that limit, so the buffer stays small.
 * Owns the rate limiter and the circuit breaker; `close()` stops pulling, hands back what was pulled
 * but not started, and waits (bounded) for the executions in flight.
 */
export class ConsumeLoop {
	private readonly stopping = new AbortController();

	private readonly slots: Slots;

	private readonly limiter?: RateLimiter;

	private readonly breaker?: CircuitBreaker;

	private readonly active = new Map<number, Unit>();

	private session?: ConsumeSession;

	private finished: Promise<void> = Promise.resolve();

	private recreating?: Promise<void>;

	private failedFatally = false;

	/** Set when a session is closed on purpose to start a fresh one (after re-creating the consumer). */
	private restartRequested = false;

	/** Hand-backs under way (a last delivery is dead-lettered, which takes a round trip); close waits for them. */
	private readonly handingBack = new Set<Promise<void>>();

	constructor(
		private readonly consumer: TriggerConsumer,
		private readonly processor: UnitProcessor,
		private readonly settings: TriggerSettings,
		private readonly logger: TransportLogger,
		private readonly events: LoopEvents,
	) {
		this.slots = new Slots(settings.parallel);
		if (settings.rateLimitPerSecond) this.limiter = new RateLimiter(settings.rateLimitPerSecond);
		if (settings.circuitBreaker) this.breaker = new CircuitBreaker(settings.circuitBreaker, (m) => logger.warn(m));
	}

	start(): void {
		this.finished = this.run().catch((error: unknown) => this.fail(error as Error));
	}

	async close(): Promise<void> {
		this.stopping.abort();
		this.closeSession();
		await this.finished;
		if (!(await this.slots.idle(this.settings.closeTimeoutMs))) {
			const units = [...new Set(this.active.values())];
			this.logger.warn(
				`${units.length} execution(s) still running after ${this.settings.closeTimeoutMs / 1000} s; their messages will be delivered again`,
			);
			units.forEach((unit) => this.track(this.processor.abandon(unit, 'the trigger closed while its execution was still running')));
		}
		await Promise.all(this.handingBack);
	}

	private track(handBack: Promise<void>): void {
		const tracked = handBack
			.catch((error: unknown) => this.logger.error(`Handing messages back failed: ${(error as Error).message}; they will be delivered again after the ack wait`))
			.finally(() => this.handingBack.delete(tracked));
		this.handingBack.add(tracked);
	}

	private get stopped(): boolean {
		return this.stopping.signal.aborted;
	}

	/**
	 * Messages asked for per pull, and read ahead of the slots: twice what the slots take at once. Read
	 * ahead, the next ones are at hand when a slot frees (pulls as small as the slot count leave the
	 * loop waiting on the server: 0.58× the raw client's rate, 0.85× with twice as many — bench/); they
	 * are kept alive while they wait, and the total stays a small multiple of the parallel limit.
	 */
	private pullSize(): number {
		return 2 * (this.settings.batch ? this.settings.batch.size : this.settings.parallel);
	}

	private async run(): Promise<void> {
		while (!this.stopped) {
			this.session = await this.consumer.consume(this.pullSize(), (status) => this.onStatus(status));
			const keepGoing = await this.read(this.session);
			if (!keepGoing || this.stopped) return;
			if (this.restartRequested) {
				this.restartRequested = false;
			} else if (this.breaker?.state === 'open') {
				await sleep(this.breaker.remainingMs(), this.stopping.signal);
				this.breaker.tryHalfOpen();
				this.slots.setCapacity(1);
			} else {
				this.logger.warn('Pulling messages stopped unexpectedly; starting again');
				await sleep(RESTART_PAUSE_MS, this.stopping.signal);
			}
		}
	}

	/** Reads one session until it ends; false when the trigger must not pull again (manual run done). */
	private async read(session: ConsumeSession): Promise<boolean> {
		const reader = new SessionReader(session, this.pullSize(), (delivery) => this.processor.keepAlive(delivery));
		let keepGoing = true;
		for (;;) {
			if (!(await this.gate())) break;
			const deliveries = await this.collect(reader);
			if (deliveries.length === 0 || this.stopped || this.breaker?.state === 'open') {
				this.slots.release();
				this.handBack(deliveries);
				break;
			}
			this.dispatch(new Unit(deliveries));
			if (this.settings.manual) {
				keepGoing = false;
				break;
			}
		}
		this.closeSession();
		const { deliveries, failure } = await reader.rest();
		this.handBack(deliveries);
		if (failure) throw failure;
		return keepGoing;
	}

	/** A free slot and a rate-limit token; false when closing or the circuit opened meanwhile. */
	private async gate(): Promise<boolean> {
		if (!(await this.slots.acquire(this.stopping.signal))) return false;
		const open = () => this.stopped || this.breaker?.state === 'open';
		if (!open() && (!this.limiter || (await this.limiter.take(this.stopping.signal))) && !open()) return true;
		this.slots.release();
		return false;
	}

	/** One message, or a batch: up to its size or until its max wait has passed since the first one. */
	private async collect(reader: SessionReader): Promise<Delivery[]> {
		const deliveries: Delivery[] = [];
		const batch = this.settings.batch;
		const deadline = () => (batch ? Date.now() + batch.maxWaitMs : 0);
		let closeAt = 0;
		while (deliveries.length < (batch?.size ?? 1)) {
			const next = await reader.next(deliveries.length === 0 ? undefined : Math.max(0, closeAt - Date.now()));
			if (next === 'end' || next === 'timeout') break;
			const running = this.active.get(next.streamSequence);
			if (running) {
				// Redelivered while its execution still runs (it sat in the pull buffer too long).
				running.replace(next);
				continue;
			}
			if (deliveries.length === 0) closeAt = deadline();
			deliveries.push(next);
		}
		return deliveries;
	}

	private dispatch(unit: Unit): void {
		unit.deliveries.forEach((d) => this.active.set(d.streamSequence, unit));
		this.processor
			.process(unit)
			.then((outcome) => this.afterExecution(outcome))
			.catch((error: unknown) => this.unitFailed(unit, error as Error))
			.finally(() => {
				unit.deliveries.forEach((d) => {
					if (this.active.get(d.streamSequence) === unit) this.active.delete(d.streamSequence);
				});
				this.slots.release();
			});
	}

	private afterExecution(outcome: Outcome | undefined): void {
		if (!this.breaker || outcome === undefined) return;
		this.breaker.record(outcome === 'success');
		if (this.breaker.state === 'open') {
			this.closeSession();
		} else if (this.breaker.state === 'closed') {
			this.slots.setCapacity(this.settings.parallel);
		}
	}

	private unitFailed(unit: Unit, error: Error): void {
		if (this.settings.manual) {
			this.fail(error);
			return;
		}
		this.logger.error(`Processing message(s) failed unexpectedly: ${error.message}; they will be delivered again`);
		this.track(this.processor.abandon(unit, 'processing it failed unexpectedly'));
	}

	/** Pulled but never started: back to the stream (after the cool-down when the circuit is open). */
	private handBack(deliveries: Delivery[]): void {
		if (deliveries.length === 0) return;
		const coolDownMs = this.breaker?.state === 'open' ? this.breaker.remainingMs() : undefined;
		const why = coolDownMs === undefined ? 'the trigger stopped reading before it ran' : 'the circuit breaker opened before it ran';
		this.track(this.processor.giveBack(deliveries, coolDownMs ?? 0, why));
	}

	private closeSession(): void {
		this.session?.close();
	}

	private onStatus(status: ConsumeStatus): void {
		switch (status.type) {
			case 'consumer_deleted':
			case 'consumer_not_found':
				this.consumerGone();
				return;
			case 'stream_not_found':
				this.fail(new Error(`Stream "${this.settings.stream}" was deleted while the trigger was reading from it`));
				return;
			case 'exceeded_limits':
				this.logger.warn(`The consumer refused a pull request: ${status.description}`);
				return;
			default:
				this.logger.debug(`Consumer status ${status.type} ${status.description}`.trim());
		}
	}

	private consumerGone(): void {
		if (this.stopped || this.failedFatally || this.recreating) return;
		if (this.settings.manual) {
			this.fail(new Error(`The test-run consumer on stream "${this.settings.stream}" disappeared`));
			return;
		}
		this.recreating = this.events
			.recover()
			.then((outcome) => {
				if (outcome === 'gone') {
					this.fail(new Error(`Consumer "${this.settings.durableName}" on stream "${this.settings.stream}" was deleted while the trigger was bound to it`));
					return;
				}
				if (outcome === 'recreated') this.logger.warn(`Consumer "${this.settings.durableName}" was deleted; re-created it from the node settings`);
				else this.logger.info(`Consumer "${this.settings.durableName}" is available again (server restart); resuming`);
				// The old session keeps pulling from a subscription the server forgot; start afresh.
				this.restartRequested = true;
				this.closeSession();
			})
			.catch((error: unknown) => this.fail(error as Error))
			.finally(() => {
				this.recreating = undefined;
			});
	}

	private fail(error: Error): void {
		if (this.stopped || this.failedFatally) return;
		this.failedFatally = true;
		this.events.fatal(error);
	}
}
