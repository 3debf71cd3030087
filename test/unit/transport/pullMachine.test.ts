import { fitExpires, goDurationMs, type PullLimits } from '../../../nodes/shared/transport/pullLimits';
import { PullMachine, type PullReport } from '../../../nodes/shared/transport/pullMachine';

/**
 * The pull state machine, event by event, on a clock the test moves. The property that matters: from
 * any fault, the machine comes back to `idle` and tells the caller, so a trigger never sits with
 * nothing asked, nothing on its way, and nobody asking.
 */

interface Rig {
	machine: PullMachine;
	sent: Array<{ batch: number; limits: PullLimits; pinId?: string }>;
	checks: number;
	credits: number;
	reports: PullReport[];
	advance(ms: number): void;
}

function rig(limits: PullLimits = { expiresMs: 10_000, heartbeatMs: 2_500, maxBatch: 0 }): Rig {
	let now = 0;
	let timers: Array<{ at: number; fn: () => void }> = [];
	const r = {
		sent: [] as Rig['sent'],
		checks: 0,
		credits: 0,
		reports: [] as PullReport[],
	} as Rig;
	r.machine = new PullMachine(limits, {
		send: (batch, l, pinId) => r.sent.push({ batch, limits: l, pinId }),
		check: () => r.checks++,
		after: (ms, fn) => {
			const timer = { at: now + ms, fn };
			timers.push(timer);
			return () => {
				timers = timers.filter((t) => t !== timer);
			};
		},
		credit: () => r.credits++,
		report: (report) => r.reports.push(report),
		now: () => now,
	});
	r.advance = (ms) => {
		const until = now + ms;
		for (;;) {
			const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
			if (!due) break;
			now = due.at;
			timers = timers.filter((t) => t !== due);
			due.fn();
		}
		now = until;
	};
	return r;
}

describe('PullMachine', () => {
	it('asks, counts what arrives, and is idle when everything asked has come (the last message is the caller\'s cue)', () => {
		const r = rig();
		r.machine.request(3);
		expect(r.machine.state).toBe('asking');
		r.machine.delivered();
		r.machine.delivered();
		expect(r.machine.outstanding.value).toBe(1);
		r.machine.delivered();
		expect(r.machine.state).toBe('idle');
		// A credit before the caller holds the message would size the next request as if it were not there.
		expect(r.credits).toBe(0);
		r.machine.tick();
		expect(r.credits).toBe(1);
	});

	it('splits a request by the consumer\'s max batch and settles a request that expired with messages undelivered', () => {
		const r = rig({ expiresMs: 10_000, heartbeatMs: 2_500, maxBatch: 2 });
		r.machine.request(5);
		expect(r.sent.map((s) => s.batch)).toEqual([2, 2, 1]);
		r.machine.ended(2);
		r.machine.ended(2);
		expect(r.machine.outstanding.value).toBe(1);
		r.machine.ended(1);
		expect(r.machine.state).toBe('idle');
	});

	it('checks the consumer after two silent heartbeats, and asks again when nothing was heard meanwhile', () => {
		const r = rig();
		r.machine.request(2);
		r.advance(5_000);
		r.machine.tick();
		expect(r.machine.state).toBe('asking');
		r.advance(600);
		r.machine.tick();
		expect(r.machine.state).toBe('checking');
		expect(r.checks).toBe(1);
		r.machine.checked({ status: 'ok' });
		expect(r.machine.state).toBe('idle');
		expect(r.machine.outstanding.value).toBe(0);
		expect(r.credits).toBe(1);
	});

	it('keeps the open requests when they were heard from during the check (a busy event loop, not a loss)', () => {
		const r = rig();
		r.machine.request(2);
		r.advance(6_000);
		r.machine.tick();
		r.machine.heard();
		r.machine.checked({ status: 'ok' });
		expect(r.machine.state).toBe('asking');
		expect(r.machine.outstanding.value).toBe(2);
	});

	// Issue 21, fault 1: a 503 that arrived while a check was running was dropped; the check then saw
	// recent traffic and scheduled nothing, and nothing was ever asked again.
	it('comes back to idle and tells the caller after a 503 that arrived while the consumer was being checked', () => {
		const r = rig();
		r.machine.request(1);
		r.advance(6_000);
		r.machine.tick();
		expect(r.machine.state).toBe('checking');
		r.machine.noResponders();
		expect(r.machine.outstanding.value).toBe(0);
		r.machine.checked({ status: 'ok' });
		expect(r.machine.state).toBe('backingOff');
		r.advance(1_000);
		expect(r.machine.state).toBe('idle');
		expect(r.credits).toBe(1);
	});

	it('never leaves a check that does not answer, and backs off longer while the server cannot tell', () => {
		const r = rig();
		r.machine.request(1);
		r.machine.noResponders();
		expect(r.machine.state).toBe('checking');
		r.advance(15_000);
		r.machine.tick();
		expect(r.machine.state).toBe('backingOff');
		r.advance(250);
		expect(r.machine.state).toBe('idle');
		r.machine.request(1);
		r.machine.noResponders();
		r.machine.checked({ status: 'unknown' });
		r.advance(499);
		expect(r.machine.state).toBe('backingOff');
		r.advance(1);
		expect(r.machine.state).toBe('idle');
		expect(r.credits).toBe(2);
	});

	it('reports a consumer or stream that is gone, and asks again only once resumed', () => {
		const r = rig();
		r.machine.request(1);
		r.machine.noResponders();
		r.machine.checked({ status: 'streamGone' });
		expect(r.machine.state).toBe('gone');
		expect(r.reports.at(-1)).toMatchObject({ type: 'streamGone' });
		r.machine.request(1);
		expect(r.sent).toHaveLength(1);
		r.machine.tick();
		expect(r.credits).toBe(0);
		r.machine.resume();
		expect(r.machine.state).toBe('idle');
		expect(r.credits).toBe(1);
	});

	it('asks nothing while disconnected, forgets what was asked, and asks again once reconnected', () => {
		const r = rig();
		r.machine.request(4);
		r.machine.disconnected();
		expect(r.machine.outstanding.value).toBe(0);
		r.machine.request(4);
		r.machine.tick();
		expect(r.sent).toHaveLength(1);
		expect(r.credits).toBe(0);
		r.machine.reconnected();
		expect(r.machine.state).toBe('idle');
		expect(r.credits).toBe(1);
	});

	// Issue 21, fault 3: a 409 without a count zeroed all credit and re-asked at once, again and again.
	it('adapts to the limit a 409 names and asks within it, without a warning loop', () => {
		const r = rig();
		r.machine.request(1);
		r.machine.refused(409, 'Exceeded MaxRequestExpires of 2s');
		expect(r.machine.state).toBe('idle');
		r.machine.request(1);
		expect(r.sent.at(-1)?.limits.expiresMs).toBeLessThanOrEqual(2_000);
		expect(r.sent.at(-1)?.limits.heartbeatMs).toBeLessThanOrEqual(r.sent.at(-1)!.limits.expiresMs / 2);
		r.machine.refused(409, 'Exceeded MaxRequestBatch of 3');
		r.machine.request(7);
		expect(r.sent.slice(-3).map((s) => s.batch)).toEqual([3, 3, 1]);
	});

	it('backs off, doubling, while every waiting slot is taken, and never gives up on that', () => {
		const r = rig();
		const pauses: number[] = [];
		for (let i = 0; i < 8; i++) {
			r.machine.request(1);
			r.machine.refused(409, 'Exceeded MaxWaiting');
			expect(r.machine.state).toBe('backingOff');
			let waited = 0;
			while (r.machine.state === 'backingOff') {
				r.advance(50);
				waited += 50;
			}
			pauses.push(waited);
		}
		expect(pauses).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
		expect(r.reports.filter((x) => x.type === 'warning')).toHaveLength(1);
		expect(r.reports.filter((x) => x.type === 'refused')).toHaveLength(0);
		r.machine.request(1);
		r.machine.delivered();
		r.machine.request(1);
		r.machine.refused(409, 'Exceeded MaxWaiting');
		r.advance(250);
		expect(r.machine.state).toBe('idle');
	});

	it('re-reads the consumer after a 400, then gives up with the reason when nothing it reads mends it', () => {
		const r = rig();
		for (let i = 0; i < 4; i++) {
			r.machine.request(1);
			r.machine.refused(400, 'Bad Request - Priority Group missing');
			expect(r.machine.state).toBe('checking');
			r.machine.checked({ status: 'ok' });
			r.advance(1_000);
		}
		expect(r.checks).toBe(4);
		r.machine.request(1);
		r.machine.refused(400, 'Bad Request - Priority Group missing');
		expect(r.reports.at(-1)).toMatchObject({ type: 'refused' });
		expect(r.reports.at(-1)?.description).toMatch(/Priority Group missing/);
	});

	it('takes the limits a check read (a group set since activation) for the next requests', () => {
		const r = rig();
		r.machine.request(1);
		r.machine.refused(400, 'Bad Request - Priority Group missing');
		r.machine.checked({ status: 'ok', limits: { expiresMs: 10_000, heartbeatMs: 2_500, maxBatch: 0, group: 'jobs' } });
		r.machine.request(1);
		expect(r.sent.at(-1)?.limits.group).toBe('jobs');
	});

	it('carries the pin the server gave and drops it when unpinned', () => {
		const r = rig({ expiresMs: 10_000, heartbeatMs: 2_500, maxBatch: 0, group: 'g', pinned: true });
		r.machine.request(1);
		expect(r.sent[0].pinId).toBeUndefined();
		r.machine.delivered('PIN1');
		r.machine.request(1);
		expect(r.sent[1].pinId).toBe('PIN1');
		r.machine.refused(423, 'Nats-Pin-Id mismatch');
		r.advance(250);
		r.machine.request(1);
		expect(r.sent[2].pinId).toBeUndefined();
	});

	it('stops for good on a push consumer', () => {
		const r = rig();
		r.machine.request(1);
		r.machine.refused(409, 'Consumer is push based');
		expect(r.reports.at(-1)).toMatchObject({ type: 'refused' });
	});

	it('tells an idle caller again at every watchdog tick (it asks when it has room)', () => {
		const r = rig();
		r.machine.tick();
		r.machine.tick();
		expect(r.credits).toBe(2);
	});
});

describe('limits', () => {
	it('reads Go durations as the server writes them', () => {
		expect(goDurationMs('2s')).toBe(2_000);
		expect(goDurationMs('1m30s')).toBe(90_000);
		expect(goDurationMs('500ms')).toBe(500);
		expect(goDurationMs('1.5s')).toBe(1_500);
		expect(goDurationMs('1h0m0s')).toBe(3_600_000);
		expect(goDurationMs('soon')).toBeUndefined();
	});

	it('fits a request under a consumer\'s max_expires, with a heartbeat the server accepts', () => {
		const base = { expiresMs: 10_000, heartbeatMs: 2_500, maxBatch: 0 };
		expect(fitExpires(base, 0)).toBe(base);
		expect(fitExpires(base, 30_000)).toBe(base);
		const fitted = fitExpires(base, 2_000);
		expect(fitted.expiresMs).toBeLessThan(2_000);
		expect(fitted.expiresMs).toBeGreaterThan(1_500);
		expect(fitted.heartbeatMs * 2).toBeLessThanOrEqual(fitted.expiresMs);
	});
});
