import { answerFor, ifExecutionFails, isLastDelivery, retryDelayMs } from '../../../nodes/JetStreamTrigger/consumer/answers';
import type { AckMode } from '../../../nodes/JetStreamTrigger/settings';

/** One decision for every way a message ends: after its execution, or handed back without one. */

describe('answerFor', () => {
	const modes: AckMode[] = ['immediately', 'executionFinishes', 'executionSucceeds', 'later'];

	it('acknowledges success, except "immediately" (answered before) and "later" (the workflow answers)', () => {
		expect(modes.map((m) => answerFor(m, 'success', false, false))).toEqual([
			{ action: 'none' },
			{ action: 'ack' },
			{ action: 'ack' },
			{ action: 'awaitWorkflow' },
		]);
	});

	it('retries a failure after the backoff, acknowledges it when the execution only had to finish', () => {
		expect(modes.map((m) => answerFor(m, 'failure', false, false))).toEqual([
			{ action: 'none' },
			{ action: 'ack' },
			{ action: 'retry', at: 'backoff' },
			{ action: 'retry', at: 'backoff' },
		]);
	});

	it('dead-letters a failure on its last delivery, and at once when the workflow called it permanent', () => {
		expect(answerFor('executionSucceeds', 'failure', true, false)).toEqual({ action: 'deadLetter', kind: 'exhausted' });
		expect(answerFor('executionSucceeds', 'failure', false, true)).toEqual({ action: 'deadLetter', kind: 'rejected' });
		expect(answerFor('later', 'failure', false, true)).toEqual({ action: 'deadLetter', kind: 'rejected' });
		expect(answerFor('executionFinishes', 'failure', true, true)).toEqual({ action: 'ack' });
	});

	it('treats a timeout as a failure that is never acknowledged (the execution may still run) and never permanent', () => {
		expect(answerFor('executionFinishes', 'timeout', false, false)).toEqual({ action: 'retry', at: 'backoff' });
		expect(answerFor('executionSucceeds', 'timeout', true, true)).toEqual({ action: 'deadLetter', kind: 'exhausted' });
	});

	it('hands a message that did not run back at once, or dead-letters it on its last delivery, in every mode', () => {
		for (const mode of modes) {
			expect(answerFor(mode, 'notRun', false, false)).toEqual({ action: 'retry', at: 'once' });
			expect(answerFor(mode, 'notRun', true, false)).toEqual({ action: 'deadLetter', kind: 'exhausted' });
		}
	});
});

describe('isLastDelivery and retryDelayMs', () => {
	it('knows the last allowed delivery, and that -1 or 0 means unlimited', () => {
		expect(isLastDelivery(3, 3)).toBe(true);
		expect(isLastDelivery(4, 3)).toBe(true);
		expect(isLastDelivery(2, 3)).toBe(false);
		expect(isLastDelivery(100, -1)).toBe(false);
		expect(isLastDelivery(1, 0)).toBe(false);
	});

	it('follows the consumer\'s backoff list when it has one, else doubles the base up to the maximum', () => {
		const retry = { baseDelayMs: 100, maxDelayMs: 1_000 };
		expect([1, 2, 3, 9].map((n) => retryDelayMs(n, [50, 70], retry))).toEqual([50, 70, 70, 70]);
		expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, [], retry, () => 0))).toEqual([100, 200, 400, 800, 1_000]);
	});
});

describe('ifExecutionFails (what the item tells the workflow)', () => {
	it('says retry, dead-letter on the last delivery (discard without a dead-letter stream), or what the ack mode does instead', () => {
		expect(ifExecutionFails('executionSucceeds', false, true)).toBe('retry');
		expect(ifExecutionFails('executionSucceeds', true, true)).toBe('dead-letter');
		expect(ifExecutionFails('later', true, true)).toBe('dead-letter');
		expect(ifExecutionFails('executionSucceeds', true, false)).toBe('discard');
		expect(ifExecutionFails('executionFinishes', true, true)).toBe('acknowledge');
		expect(ifExecutionFails('immediately', false, true)).toBe('nothing');
	});
});
