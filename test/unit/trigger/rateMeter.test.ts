import { RateMeter } from '../../../nodes/JetStreamTrigger/consumer/rateMeter';

/** The pace that sizes the read-ahead: executions finished over about the last second. */
describe('RateMeter', () => {
	let now = 0;
	const meter = () => new RateMeter(() => now);

	beforeEach(() => {
		now = 10_000;
	});

	it('counts what finished in the current second, and fades the previous second out', () => {
		const m = meter();
		for (let i = 0; i < 100; i++) m.record();
		expect(m.perSecond()).toBe(100);
		now += 1_000;
		expect(m.perSecond()).toBe(100);
		now += 500;
		expect(m.perSecond()).toBe(50);
		m.record(10);
		expect(m.perSecond()).toBe(60);
	});

	it('forgets everything after two quiet seconds', () => {
		const m = meter();
		m.record(500);
		now += 2_500;
		expect(m.perSecond()).toBe(0);
	});
});
