import { CircuitBreaker } from '../../../nodes/JetStreamTrigger/consumer/circuitBreaker';
import { RateLimiter } from '../../../nodes/JetStreamTrigger/consumer/rateLimiter';

/** The trigger's rate limiter and circuit breaker, on a clock the test moves. */

describe('RateLimiter', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('lets a second\'s worth through at once, then one message per 1/rate seconds', async () => {
		const limiter = new RateLimiter(4);
		const signal = new AbortController().signal;
		for (let i = 0; i < 4; i++) expect(await limiter.take(signal)).toBe(true);
		let fifth = false;
		const waiting = limiter.take(signal).then((ok) => (fifth = ok));
		await jest.advanceTimersByTimeAsync(200);
		expect(fifth).toBe(false);
		await jest.advanceTimersByTimeAsync(60);
		await waiting;
		expect(fifth).toBe(true);
	});

	it('stops waiting with false when the trigger closes', async () => {
		const limiter = new RateLimiter(1);
		const stop = new AbortController();
		expect(await limiter.take(stop.signal)).toBe(true);
		const waiting = limiter.take(stop.signal);
		stop.abort();
		await jest.advanceTimersByTimeAsync(0);
		expect(await waiting).toBe(false);
	});
});

describe('CircuitBreaker', () => {
	let now = 0;
	const logs: string[] = [];
	const breaker = () => new CircuitBreaker({ failureThreshold: 3, coolDownMs: 10_000, pauseConsumer: false }, (m) => logs.push(m), () => now);

	beforeEach(() => {
		now = 1_000;
		logs.length = 0;
	});

	it('opens after the threshold of failures in a row, and says so', () => {
		const b = breaker();
		b.record(false);
		b.record(false);
		expect(b.state).toBe('closed');
		b.record(false);
		expect(b.state).toBe('open');
		expect(b.remainingMs()).toBe(10_000);
		expect(logs[0]).toMatch(/Circuit opened after 3 failed executions in a row; no messages are pulled for 10 s/);
	});

	it('a success in between resets the count', () => {
		const b = breaker();
		b.record(false);
		b.record(false);
		b.record(true);
		b.record(false);
		b.record(false);
		expect(b.state).toBe('closed');
	});

	it('half-opens only after the cool-down, closes on a successful trial, reopens on a failed one', () => {
		const b = breaker();
		[1, 2, 3].forEach(() => b.record(false));
		now += 9_999;
		b.tryHalfOpen();
		expect(b.state).toBe('open');
		now += 1;
		b.tryHalfOpen();
		expect(b.state).toBe('halfOpen');
		b.record(false);
		expect(b.state).toBe('open');
		now += 10_000;
		b.tryHalfOpen();
		b.record(true);
		expect(b.state).toBe('closed');
		expect(logs.at(-1)).toMatch(/Circuit closed/);
	});

	it('starts the trial after the cool-down even when its timer fires before the clock says so', async () => {
		jest.useFakeTimers();
		try {
			// The breaker's clock runs a millisecond behind the timers, as Date.now can behind Node's timers.
			const start = Date.now();
			const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 10_000, pauseConsumer: false }, (m) => logs.push(m), () => Math.max(0, Date.now() - start - 1));
			b.record(false);
			let trials = 0;
			b.afterCoolDown(() => trials++);
			await jest.advanceTimersByTimeAsync(9_999);
			expect(trials).toBe(0);
			await jest.advanceTimersByTimeAsync(5);
			expect(trials).toBe(1);
			expect(b.state).toBe('halfOpen');
		} finally {
			jest.useRealTimers();
		}
	});

	it('starts no trial when the circuit closed during the cool-down', async () => {
		jest.useFakeTimers();
		try {
			const b = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1_000, pauseConsumer: false }, (m) => logs.push(m));
			b.record(false);
			let trials = 0;
			b.afterCoolDown(() => trials++);
			// An execution that was already running when the circuit opened succeeds.
			b.record(true);
			await jest.advanceTimersByTimeAsync(2_000);
			expect(trials).toBe(0);
			expect(b.state).toBe('closed');
		} finally {
			jest.useRealTimers();
		}
	});
});
