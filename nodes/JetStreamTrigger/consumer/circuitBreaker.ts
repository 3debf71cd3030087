import type { TransportLogger } from '../../shared/transport/connect';
import type { TriggerConsumer } from '../../shared/transport/consume';
import type { CircuitBreakerSettings } from '../settings';

export type BreakerState = 'closed' | 'open' | 'halfOpen';

/**
 * Stops pulling after N executions failed in a row (the downstream system is probably down), waits
 * a cool-down, lets one message through as a trial, and resumes when it succeeds.
 */
export class CircuitBreaker {
	private failures = 0;

	private openedAt = 0;

	private current: BreakerState = 'closed';

	private trialTimer?: NodeJS.Timeout;

	constructor(
		private readonly settings: CircuitBreakerSettings,
		private readonly log: (message: string) => void,
		private readonly now: () => number = Date.now,
	) {}

	get state(): BreakerState {
		return this.current;
	}

	/** Milliseconds of cool-down left while open. */
	remainingMs(): number {
		return this.current === 'open' ? Math.max(0, this.openedAt + this.settings.coolDownMs - this.now()) : 0;
	}

	record(success: boolean): void {
		if (success) {
			if (this.current !== 'closed') this.log('Circuit closed: the trial execution succeeded; pulling messages again');
			this.current = 'closed';
			this.failures = 0;
			return;
		}
		this.failures++;
		if (this.current === 'halfOpen' || (this.current === 'closed' && this.failures >= this.settings.failureThreshold)) {
			this.current = 'open';
			this.openedAt = this.now();
			this.log(
				`Circuit opened after ${this.failures} failed executions in a row; no messages are pulled for ${this.settings.coolDownMs / 1000} s`,
			);
		}
	}

	/**
	 * Calls `trial` once the circuit is half-open. A timer may fire a millisecond before the clock says
	 * the cool-down is over: it then waits again rather than leaving the circuit open with nothing left
	 * to wake it (seen in CI: a trigger that never pulled again).
	 */
	afterCoolDown(trial: () => void): void {
		clearTimeout(this.trialTimer);
		this.trialTimer = setTimeout(() => {
			this.tryHalfOpen();
			if (this.current === 'open') this.afterCoolDown(trial);
			// Closed meanwhile (an execution running when it opened succeeded): no trial to narrow the slots for.
			else if (this.current === 'halfOpen') trial();
		}, this.remainingMs());
		this.trialTimer.unref?.();
	}

	/** After the cool-down: let one trial through. */
	tryHalfOpen(): void {
		if (this.current === 'open' && this.remainingMs() === 0) {
			this.current = 'halfOpen';
			this.log('Circuit half-open: trying one message');
		}
	}
}

/** Pauses the consumer on the server until the cool-down ends: every reader of it waits, visibly. Never throws. */
export async function pauseOnServer(consumer: TriggerConsumer, untilMs: number, logger: TransportLogger): Promise<void> {
	const { name } = consumer.facts;
	try {
		await consumer.pause(new Date(untilMs));
		logger.warn(`Paused consumer "${name}" on the server until ${new Date(untilMs).toISOString()}: every n8n instance reading it waits`);
	} catch (error) {
		logger.warn(`Could not pause consumer "${name}" on the server (${(error as Error).message}); only this trigger waits`);
	}
}
