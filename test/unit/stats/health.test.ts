import { classify, DEFAULT_THRESHOLDS } from '../../../nodes/JetStream/actions/monitor/health';

/** Consumer Health: which status a consumer's facts give, and why. */

const now = Date.parse('2026-12-03T12:00:00.000Z');
const facts = (extra: Partial<Parameters<typeof classify>[0]> = {}) => ({ pending: 0, ackPending: 0, redelivered: 0, waiting: 1, paused: false, deadLetters: 0, now, ...extra });
const thresholds = { ...DEFAULT_THRESHOLDS, laggingAt: 100, stalledAfterMs: 60_000 };

describe('classify', () => {
	it('is ok with nothing waiting, whatever the last activity', () => {
		expect(classify(facts({ lastDeliveredAt: now - 3_600_000 }), thresholds)).toEqual({ status: 'ok', reasons: [] });
	});

	it('is lagging with many messages waiting while delivery goes on', () => {
		const result = classify(facts({ pending: 500, lastDeliveredAt: now - 1_000 }), thresholds);
		expect(result.status).toBe('lagging');
		expect(result.reasons[0]).toMatch(/500 message\(s\) wait to be read/);
	});

	it('is stalled when messages wait and nothing was delivered or acknowledged for the threshold, before lagging', () => {
		const result = classify(facts({ pending: 500, lastDeliveredAt: now - 120_000, lastAckedAt: now - 90_000 }), thresholds);
		expect(result.status).toBe('stalled');
		expect(result.reasons).toHaveLength(2);
		expect(result.reasons[0]).toMatch(/nothing was delivered or acknowledged for 90 s/);
	});

	it('is stalled when a reader holds messages and answers none (the consumer has nothing else to give)', () => {
		expect(classify(facts({ pending: 0, ackPending: 3, lastDeliveredAt: now - 120_000 }), thresholds).status).toBe('stalled');
	});

	it('on a server that does not say when it last delivered (2.9): stalled when nobody asks and nobody holds a message', () => {
		expect(classify(facts({ pending: 5, waiting: 0 }), thresholds).status).toBe('stalled');
		expect(classify(facts({ pending: 5, waiting: 1 }), thresholds).status).toBe('ok');
		expect(classify(facts({ pending: 5, waiting: 0, ackPending: 1 }), thresholds).status).toBe('ok');
	});

	it('is never stalled while paused', () => {
		expect(classify(facts({ pending: 5, waiting: 0, paused: true }), thresholds).status).toBe('ok');
	});

	it('is failing with dead letters in the window or many redeliveries, before lagging; a threshold of 0 turns a rule off', () => {
		expect(classify(facts({ deadLetters: 2 }), thresholds)).toEqual({ status: 'failing', reasons: ['2 message(s) dead-lettered in the window'] });
		expect(classify(facts({ redelivered: 150, pending: 200, lastDeliveredAt: now }), thresholds).status).toBe('failing');
		expect(classify(facts({ deadLetters: 2 }), { ...thresholds, failingAtDeadLetters: 0 }).status).toBe('ok');
	});
});
