import { Ticker } from '../../../nodes/shared/execution/ticker';

describe('Ticker (one timer for many execution timeouts and working() calls)', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('calls a deadline once, within its resolution, and not when cancelled', () => {
		const ticker = new Ticker(50);
		const fired: string[] = [];
		ticker.after(120, () => fired.push('a'));
		const cancel = ticker.after(120, () => fired.push('b'));
		cancel();
		jest.advanceTimersByTime(100);
		expect(fired).toEqual([]);
		jest.advanceTimersByTime(50);
		expect(fired).toEqual(['a']);
		jest.advanceTimersByTime(1000);
		expect(fired).toEqual(['a']);
	});

	it('repeats a periodic call until it is cancelled', () => {
		const ticker = new Ticker(10);
		let calls = 0;
		const cancel = ticker.every(100, () => calls++);
		jest.advanceTimersByTime(1000);
		expect(calls).toBeGreaterThanOrEqual(9);
		expect(calls).toBeLessThanOrEqual(10);
		cancel();
		jest.advanceTimersByTime(1000);
		expect(calls).toBeLessThanOrEqual(10);
	});

	it('holds one interval for any number of tasks, and none once they are all done', () => {
		const ticker = new Ticker(50);
		const cancels = Array.from({ length: 1000 }, () => ticker.after(60_000, () => undefined));
		expect(jest.getTimerCount()).toBe(1);
		cancels.forEach((c) => c());
		jest.advanceTimersByTime(60);
		expect(jest.getTimerCount()).toBe(0);
		ticker.after(10, () => undefined);
		expect(jest.getTimerCount()).toBe(1);
	});

	it('lets a task cancel another one during a tick', () => {
		const ticker = new Ticker(10);
		const fired: string[] = [];
		let cancelB = () => undefined as void;
		ticker.after(10, () => {
			fired.push('a');
			cancelB();
		});
		cancelB = ticker.after(10, () => fired.push('b'));
		jest.advanceTimersByTime(20);
		expect(fired).toEqual(['a']);
	});

	it('runs the other tasks of a tick when one throws, and reports the error', () => {
		const errors: string[] = [];
		const ticker = new Ticker(10, (error) => errors.push(error.message));
		const fired: string[] = [];
		ticker.every(10, () => {
			throw new Error('connection draining');
		});
		ticker.every(10, () => fired.push('b'));
		jest.advanceTimersByTime(30);
		expect(fired.length).toBeGreaterThanOrEqual(2);
		expect(errors.length).toBe(fired.length);
		expect(errors[0]).toBe('connection draining');
	});
});
