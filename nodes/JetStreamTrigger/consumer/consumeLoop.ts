import { forFeature } from '../../shared/errorMapping';
import { withinDeadline } from '../../shared/execution/sleep';
import type { PermissionError } from '../../shared/errors';
import type { TriggerConsumer } from '../../shared/transport/consume';
import type { Delivery } from '../../shared/transport/delivery';
import type { Puller, PullReport } from '../../shared/transport/pull';
import { isLastDelivery } from './answers';
import { pauseOnServer } from './circuitBreaker';
import { Dispatcher, type DispatchHost } from './dispatcher';
import { FEATURE } from './featureNames';
import type { DeadLetterDetails } from './hooks';
import { keepAliveInterval, Lifecycle, type Departure, type HeldMessage, type LifecycleOwner } from './lifecycle';
import { UnitProcessor } from './processor';
import type { LoopEvents, LoopPort, StepDeps, StopReason } from './steps';

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
 * The consume path's driver, and its one notion of "stopped". Asks the server for only as many
 * messages as it can hold and keep alive (the read-ahead, sized from the parallel limit), hands every
 * delivered message to the lifecycle, and lets the dispatcher run them through the processor one
 * execution slot at a time. At most `parallel` executions plus the read-ahead are unacknowledged at
 * any time. A consumer the server reports missing is looked for, re-created when the node manages
 * it, or the trigger stops with what is gone.
 *
 * `close()` stops asking, takes in what was already on the wire, hands back everything that did not
 * start, and returns. Executions still running are not interrupted: n8n finishes them, and their
 * messages are answered by their outcome when they end (`settled()` resolves then).
 */
export class ConsumeLoop implements LoopPort, LifecycleOwner, DispatchHost {
	readonly lifecycle: Lifecycle;

	private stoppedFor?: StopReason;

	private readonly stopSignal = new AbortController();

	/** Made at start(), when the trigger knows whether it sees the Acknowledge node's answers. */
	private processor!: UnitProcessor;

	private dispatcher?: Dispatcher;

	private puller?: Puller;

	private dispatching: Promise<void> = Promise.resolve();

	private shuttingDown?: Promise<void>;

	private recovering?: Promise<void>;

	/** Work on held messages (units, hand-backs, answers seen): settled() waits for it. */
	private readonly work = new Set<Promise<void>>();

	constructor(
		private readonly consumer: TriggerConsumer,
		private readonly deps: Omit<StepDeps, 'loop' | 'watchesWorkflowAnswers'>,
		private readonly events: LoopEvents,
	) {
		this.lifecycle = new Lifecycle(deps.ticker, deps.settings.manual ? 0 : keepAliveInterval(consumer.facts.ackWaitMs), this);
	}

	get stopped(): boolean {
		return this.stoppedFor !== undefined;
	}

	get closing(): boolean {
		return this.stoppedFor === 'closing';
	}

	/** Not stopped by an error it could not mend (nor closed). */
	get reading(): boolean {
		return this.stoppedFor === undefined || this.stoppedFor === 'testRunDone';
	}

	/**
	 * Messages read ahead of the execution slots, so the next ones are at hand when a slot frees (with
	 * too few the loop waits on the server: bench/): twice what the slots take at once, or — when
	 * executions are fast — what they take in the next 100 ms at the current pace, up to 64. Slow
	 * executions therefore get a small read-ahead and no message waits in line for long; all of them
	 * are kept alive while they wait, and the total unacknowledged stays parallel + read-ahead.
	 */
	get readAhead(): number {
		const { settings } = this.deps;
		const unit = settings.batch?.size ?? 1;
		if (settings.manual) return unit;
		const base = 2 * (settings.batch ? unit : settings.parallel);
		const paced = Math.ceil((this.dispatcher?.unitsPerSecond ?? 0) * unit * READ_AHEAD_WINDOW_S);
		return Math.max(base, Math.min(MAX_READ_AHEAD, paced));
	}

	/** Starts reading. `watchesWorkflowAnswers`: "Later in the workflow" sees the Acknowledge node's answers. */
	start(watchesWorkflowAnswers: boolean): void {
		this.processor = new UnitProcessor({ ...this.deps, loop: this, watchesWorkflowAnswers });
		this.dispatcher = new Dispatcher(this.deps.settings, this.lifecycle, this.processor, this, this.deps.logger);
		this.puller = this.consumer.pull({
			message: (delivery) => this.arrived(delivery),
			credit: () => this.topUp(),
			status: (report) => this.onPullReport(report),
			answerFailed: (error, count) =>
				this.deps.logger.warn(`${count} answer(s) to the server could not be sent (${error.message}); those messages are delivered again after their ack wait`),
		});
		this.dispatching = this.dispatcher.run(this.stopSignal.signal).catch((error: unknown) => this.fail(error as Error));
		this.topUp();
	}

	/** Stops pulling and hands back what did not start; running executions end on their own. */
	async close(timeoutMs: number): Promise<void> {
		this.shuttingDown ??= this.shutDown(timeoutMs);
		await this.shuttingDown;
	}

	/** Resolves when every message the trigger held was answered (after close: the running ones too). */
	async settled(): Promise<void> {
		while (this.work.size > 0) await Promise.all(this.work);
		await this.lifecycle.empty();
		this.puller?.flushAnswers();
	}

	/**
	 * Stops the timers for good (the connection is about to close). What is still held is delivered
	 * again after its ack wait — except a message on its last allowed delivery, which the server then
	 * drops from this consumer: each is named, with where it still is.
	 */
	finish(): void {
		const { facts } = this.consumer;
		for (const message of this.lifecycle.messages()) {
			if (!isLastDelivery(message.deliveries, facts.maxDeliver)) continue;
			this.deps.logger.error(
				`Message ${message.sequence} was on its last allowed delivery and could not be answered or dead-lettered before the trigger closed; this consumer will not deliver it again. It stays in stream "${facts.stream}": read it with the JetStream node's Message → Get`,
			);
		}
		this.lifecycle.stop();
		this.puller?.flushAnswers();
	}

	/** Stops reading for good and reports the error (n8n deactivates the trigger and retries activation). */
	fail(error: Error): void {
		if (this.stoppedFor === 'closing' || this.stoppedFor === 'failed') return;
		this.stop('failed');
		this.events.fatal(error);
	}

	/** The server gave up on a message (max-deliveries advisory): true when the trigger holds or answered it. */
	serverGaveUp(sequence: number, deliveries: number): boolean {
		return this.lifecycle.serverGaveUp(sequence, deliveries);
	}

	/** An Acknowledge node in the workflow answered a message ("Later in the workflow"). */
	answeredInWorkflow(sequence: number, kind: 'ack' | 'nak' | 'term'): void {
		// Answers of other instances reading the same durable can come before this one started.
		if (!this.processor) return;
		this.track(this.processor.answeredInWorkflow(sequence, kind), `Recording the Acknowledge node's answer for message ${sequence}`);
	}

	/** The connection dropped, or is back: the server forgot the open pull requests. */
	connectionLost(): void {
		this.puller?.connectionLost();
	}

	connectionBack(): void {
		this.puller?.connectionBack();
	}

	/** The server refused a publish: one of ours (a pull request, an answer) stops the trigger (true). */
	refused(error: PermissionError): boolean {
		if (!this.puller?.publishesTo(error.subject)) return false;
		this.fail(forFeature(error, FEATURE.trigger) as Error);
		return true;
	}

	deadLetterDue(message: HeldMessage, details: DeadLetterDetails): void {
		this.track(this.processor.deadLetterDue(message, details), `Dead-lettering message ${message.sequence}`);
	}

	handBack(message: HeldMessage, why: string): void {
		this.track(this.processor.handBack(message, why), `Handing message ${message.sequence} back`);
	}

	left(_message: HeldMessage, _how: Departure): void {
		this.topUp();
	}

	repeated(message: HeldMessage, previous: number): void {
		this.deps.logger.debug(`Message ${message.sequence} came again (delivery ${message.delivery.deliveryCount} after ${previous}) while the trigger holds it; it is answered once`);
	}

	testRunDone(): void {
		this.stop('testRunDone');
	}

	/** "Pause Consumer on Server": the pause ends with the cool-down, when the trial message is asked for. */
	circuitOpened(untilMs: number): void {
		const { settings, logger } = this.deps;
		if (settings.circuitBreaker?.pauseConsumer && !settings.manual) void this.track(pauseOnServer(this.consumer, untilMs, logger), 'Pausing the consumer');
	}

	private stop(reason: StopReason): void {
		if (this.stoppedFor !== 'closing') this.stoppedFor = reason;
		this.stopSignal.abort();
	}

	/** Work on held messages; settled() waits for it, and a failure is logged, never thrown. */
	track(work: Promise<void>, what: string): Promise<void> {
		const done = work.catch((error: unknown) => this.deps.logger.error(`${what} failed unexpectedly: ${(error as Error).message}`)).finally(() => this.work.delete(done));
		this.work.add(done);
		return done;
	}

	private async shutDown(timeoutMs: number): Promise<void> {
		this.stop('closing');
		await this.dispatching;
		await this.puller?.close(Math.min(DRAIN_MS, Math.max(100, timeoutMs)));
		const back = this.lifecycle.close().map((m) => this.track(this.processor.handBack(m, 'the trigger closed before it ran'), `Handing message ${m.sequence} back`));
		if (!(await withinDeadline(Promise.all(back), timeoutMs))) {
			this.deps.logger.warn(`Handing messages back took longer than ${timeoutMs / 1000} s; the rest are delivered again after their ack wait`);
		}
		this.puller?.flushAnswers();
		const running = this.lifecycle.count('running') + this.lifecycle.count('parked');
		if (running > 0) this.deps.logger.info(`${running} message(s) still being processed; they are acknowledged or retried by their outcome when their executions end`);
	}

	private arrived(delivery: Delivery): void {
		// A copy of a message held is not a message received.
		if (this.lifecycle.receive(delivery)) this.deps.stats.received(delivery.pending);
		this.topUp();
	}

	/** Asks for more when the read-ahead has room for at least half of it (one request, not one per message). */
	topUp(): void {
		const puller = this.puller;
		if (!puller || this.stopped || this.dispatcher?.paused) return;
		const queued = this.lifecycle.count('waiting') + this.lifecycle.count('parked');
		const free = this.readAhead - queued - puller.outstanding;
		if (free >= Math.max(1, Math.ceil(this.readAhead / 2))) puller.request(free);
	}

	private onPullReport(report: PullReport): void {
		const { logger } = this.deps;
		switch (report.type) {
			case 'consumerGone':
			case 'streamGone':
				this.consumerGone(report.type);
				return;
			case 'refused':
				this.fail(new Error(report.description));
				return;
			case 'warning':
				logger.warn(report.description);
				return;
			case 'error':
				logger.error(report.description);
				return;
			default:
				logger.debug(`Pull requests: ${report.description}`);
		}
	}

	private consumerGone(what: 'consumerGone' | 'streamGone'): void {
		if (this.stopped || this.recovering) return;
		const { stream, name } = this.consumer.facts;
		if (this.deps.settings.manual) {
			this.fail(new Error(`The test-run consumer on stream "${stream}" disappeared`));
			return;
		}
		const streamDeleted = () => this.fail(new Error(`Stream "${stream}" was deleted while the trigger was reading from it`));
		if (what === 'streamGone') {
			streamDeleted();
			return;
		}
		this.recovering = this.events
			.recover()
			.then((outcome) => {
				if (outcome === 'streamGone') streamDeleted();
				else if (outcome === 'consumerGone') this.fail(new Error(`Consumer "${name}" on stream "${stream}" was deleted while the trigger was bound to it`));
				else {
					if (outcome === 'recreated') this.deps.logger.warn(`Consumer "${name}" was deleted; re-created it from the node settings`);
					else this.deps.logger.info(`Consumer "${name}" is available again (server restart); resuming`);
					this.puller?.resume();
				}
			})
			.catch((error: unknown) => this.fail(error as Error))
			.finally(() => {
				this.recovering = undefined;
			});
	}
}
