import type { StreamConfig } from '@nats-io/jetstream';

import { serverAtLeast, serverVersion, uniqueName } from '../../helpers/natsServer';
import { expectOperationOutput } from '../../helpers/outputSchemas';
import { json, messageSuite } from './harness';

/**
 * Message → Publish with what newer servers add: Time To Live (2.11) and the expectations
 * (optimistic concurrency). Each version-bound option is refused on an older server before anything
 * is sent, naming the version it needs and the server's.
 */

const suite = messageSuite('message-newer');
const publish = (subject: string, publishOptions: Record<string, unknown>) => ({ operation: 'publish', subject, publishOptions });
const version = serverVersion();

/** A stream of its own with the given settings; deleted by the test. */
async function streamWith(settings: Partial<StreamConfig>): Promise<{ name: string; subject: string; remove: () => Promise<boolean> }> {
	const name = uniqueName('NEW');
	await suite.jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], ...settings });
	return { name, subject: `${name.toLowerCase()}.a`, remove: () => suite.jsm.streams.delete(name) };
}

const count = async (stream: string) => (await suite.jsm.streams.info(stream)).state.messages;

describe('Message → Publish: expectations (optimistic concurrency)', () => {
	it('says which expectation failed and the current value, and stores nothing', async () => {
		const subject = `${suite.prefix}a`;
		await suite.run(publish(subject, {}));
		await expect(suite.run(publish(subject, { expectedLastSequence: 7 }))).rejects.toThrow(
			`Expected Last Sequence (7) did not hold for "${subject}": the current value is 1; nothing was stored`,
		);
		await expect(suite.run(publish(subject, { expectedLastSubjectSequence: 5 }))).rejects.toThrow(
			`Expected Last Subject Sequence (5) did not hold for "${subject}": the last message on "${subject}" has sequence 1; nothing was stored`,
		);
		expect(await count(suite.stream)).toBe(1);
	});

	it('stores only if the last message ID is the expected one, and names the current one otherwise', async () => {
		const subject = `${suite.prefix}a`;
		await suite.run({ ...publish(subject, {}), idempotencyKey: 'order-1' });
		await expect(suite.run(publish(subject, { expectedLastMsgId: 'order-0' }))).rejects.toThrow(
			`Expected Last Message ID ("order-0") did not hold for "${subject}": the stream's last message ID is "order-1"; nothing was stored`,
		);
		const [ok] = json((await suite.run({ ...publish(subject, { expectedLastMsgId: 'order-1' }), idempotencyKey: 'order-2' })).out);
		expect(ok).toMatchObject({ sequence: 2, messageId: 'order-2' });
	});
});

describe('Message → Publish: Time To Live', () => {
	if (serverAtLeast('2.11.0')) {
		it('stores a message that the stream removes after its Time To Live, while the others stay', async () => {
			const stream = await streamWith({ allow_msg_ttl: true });
			try {
				const [short] = json((await suite.run(publish(stream.subject, { ttlSeconds: 1 }))).out);
				await suite.run(publish(stream.subject, {}));
				expect(short).toMatchObject({ stream: stream.name, sequence: 1 });
				expect((await suite.jsm.streams.getMessage(stream.name, { seq: 1 }))?.header.get('Nats-TTL')).toBe('1s');
				const deadline = Date.now() + 5_000;
				while ((await count(stream.name)) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
				expect(await suite.jsm.streams.getMessage(stream.name, { seq: 1 })).toBeNull();
				expect((await suite.jsm.streams.getMessage(stream.name, { seq: 2 }))?.seq).toBe(2);
			} finally {
				await stream.remove();
			}
		});

		it('names the stream setting when the stream does not allow a Time To Live', async () => {
			const subject = `${suite.prefix}a`;
			const error = await suite.run(publish(subject, { ttlSeconds: 60 })).then(
				() => undefined,
				(e: Error & { description?: string }) => e,
			);
			expect(error?.message).toBe(`Stream "${suite.stream}" does not allow a per-message Time To Live: its setting allow_msg_ttl ("Allow Per-Message TTL") is off`);
			expect(error?.description).toMatch(/^Turn on "Allow Per-Message TTL" with a JetStream node set to Stream → Update, .*nats-server 2\.11 or later.*or clear "Time To Live"/);
			expect(await count(suite.stream)).toBe(0);
		});
	} else {
		it('refuses a Time To Live on a server older than 2.11 before anything is sent', async () => {
			await expect(suite.run(publish(`${suite.prefix}a`, { ttlSeconds: 60 }))).rejects.toThrow(
				`Time To Live needs NATS server 2.11.0 or newer; this server runs ${version}`,
			);
			expect(await count(suite.stream)).toBe(0);
		});
	}
});

describe('Message → Publish with a Schedule, and Message → Cancel Schedule', () => {
	const due = async (stream: string, subject: string) => suite.jsm.streams.getMessage(stream, { last_by_subj: subject });

	if (serverAtLeast('2.12.0')) {
		it('delivers a message "after a delay" not before its time, to Deliver To, and keeps nothing on the schedule subject after', async () => {
			const stream = await streamWith({ allow_msg_schedules: true });
			const prefix = `${stream.name.toLowerCase()}.`;
			try {
				const sent = Date.now();
				const [out] = json((await suite.run({ ...publish(`${prefix}schedule.r1`, {}), schedule: 'after', scheduleDelaySeconds: 2, scheduleTarget: `${prefix}due` })).out);
				expect(out).toMatchObject({ stream: stream.name, subject: `${prefix}schedule.r1`, schedule: { deliverTo: `${prefix}due`, timeZone: null } });
				expect(String((out.schedule as { specification: string }).specification)).toMatch(/^@at \d{4}-\d\d-\d\dT/);
				expectOperationOutput('message', 'publish', [out]);
				expect(await due(stream.name, `${prefix}due`)).toBeNull();
				const deadline = Date.now() + 6_000;
				let delivered = await due(stream.name, `${prefix}due`);
				while (!delivered && Date.now() < deadline) {
					await new Promise((r) => setTimeout(r, 100));
					delivered = await due(stream.name, `${prefix}due`);
				}
				expect(delivered).not.toBeNull();
				// Stored time is the server's; half a second of slack for the server's timer.
				expect(delivered!.time.getTime()).toBeGreaterThanOrEqual(sent + 1_500);
				expect(delivered!.header.get('Nats-Scheduler')).toBe(`${prefix}schedule.r1`);
				const [cancelled] = json((await suite.run({ operation: 'cancelSchedule', scheduleStream: stream.name, scheduleSubject: `${prefix}schedule.r1` })).out);
				expect(cancelled).toMatchObject({ cancelled: false, specification: null });
				expectOperationOutput('message', 'cancelSchedule', [cancelled]);
			} finally {
				await stream.remove();
			}
		});

		it('names the stream setting when the stream does not allow schedules, and stores nothing', async () => {
			const params = { ...publish(`${suite.prefix}schedule.r1`, {}), schedule: 'after', scheduleDelaySeconds: 60, scheduleTarget: `${suite.prefix}due` };
			await expect(suite.run(params)).rejects.toThrow(
				`Stream "${suite.stream}" does not allow scheduled messages: its setting allow_msg_schedules ("Allow Message Schedules") is off`,
			);
			expect(await count(suite.stream)).toBe(0);
		});

		it('refuses to cancel on a subject whose last message is not a schedule, and purges nothing', async () => {
			await suite.run(publish(`${suite.prefix}plain`, {}));
			await expect(suite.run({ operation: 'cancelSchedule', scheduleStream: suite.stream, scheduleSubject: `${suite.prefix}plain` })).rejects.toThrow(
				`The last message on "${suite.prefix}plain" in stream "${suite.stream}" is not a schedule (sequence 1); nothing was removed`,
			);
			expect(await count(suite.stream)).toBe(1);
		});
	} else {
		it('refuses a schedule and Cancel Schedule on a server older than 2.12 before anything is sent', async () => {
			const params = { ...publish(`${suite.prefix}schedule.r1`, {}), schedule: 'after', scheduleDelaySeconds: 60, scheduleTarget: `${suite.prefix}due` };
			await expect(suite.run(params)).rejects.toThrow(`Schedule "After a Delay" needs NATS server 2.12.0 or newer; this server runs ${version}`);
			await expect(suite.run({ operation: 'cancelSchedule', scheduleStream: suite.stream, scheduleSubject: `${suite.prefix}schedule.r1` })).rejects.toThrow(
				`Message → Cancel Schedule needs NATS server 2.12.0 or newer; this server runs ${version}`,
			);
			expect(await count(suite.stream)).toBe(0);
		});
	}

	if (serverAtLeast('2.14.0')) {
		it('repeats "every interval" until cancelled; Cancel Schedule removes it and nothing more arrives', async () => {
			const stream = await streamWith({ allow_msg_schedules: true });
			const prefix = `${stream.name.toLowerCase()}.`;
			try {
				await suite.run({ ...publish(`${prefix}schedule.tick`, {}), schedule: 'every', scheduleEverySeconds: 1, scheduleTarget: `${prefix}tick` });
				const deadline = Date.now() + 6_000;
				while (!(await due(stream.name, `${prefix}tick`)) && Date.now() < deadline) {
					await new Promise((r) => setTimeout(r, 100));
				}
				const [cancelled] = json((await suite.run({ operation: 'cancelSchedule', scheduleStream: stream.name, scheduleSubject: `${prefix}schedule.tick` })).out);
				expect(cancelled).toMatchObject({ cancelled: true, specification: '@every 1s', deliverTo: `${prefix}tick` });
				expectOperationOutput('message', 'cancelSchedule', [cancelled]);
				const ticks = (await due(stream.name, `${prefix}tick`))?.seq;
				expect(ticks).toBeDefined();
				await new Promise((r) => setTimeout(r, 2_500));
				expect((await due(stream.name, `${prefix}tick`))?.seq).toBe(ticks);
				expect(await due(stream.name, `${prefix}schedule.tick`)).toBeNull();
			} finally {
				await stream.remove();
			}
		});

		it('accepts a cron expression with a time zone, and says what the server refuses in it', async () => {
			const stream = await streamWith({ allow_msg_schedules: true });
			const prefix = `${stream.name.toLowerCase()}.`;
			try {
				const cron = { ...publish(`${prefix}schedule.daily`, {}), schedule: 'cron', scheduleCron: '0 0 9 * * 1-5', scheduleTimeZone: 'Europe/Berlin', scheduleTarget: `${prefix}daily` };
				const [out] = json((await suite.run(cron)).out);
				expect(out.schedule).toEqual({ deliverTo: `${prefix}daily`, specification: '0 0 9 * * 1-5', timeZone: 'Europe/Berlin' });
				expectOperationOutput('message', 'publish', [out]);
				expect((await due(stream.name, `${prefix}schedule.daily`))?.header.get('Nats-Schedule-Time-Zone')).toBe('Europe/Berlin');
				await expect(suite.run({ ...cron, scheduleTimeZone: 'Mars/Base' })).rejects.toThrow(/^The server refused the schedule of ".*schedule\.daily" \(message schedules time zone is invalid\)$/);
			} finally {
				await stream.remove();
			}
		});
	} else {
		it('refuses a repeating schedule on a server older than 2.14 before anything is sent', async () => {
			const params = { ...publish(`${suite.prefix}schedule.tick`, {}), schedule: 'every', scheduleEverySeconds: 1, scheduleTarget: `${suite.prefix}tick` };
			await expect(suite.run(params)).rejects.toThrow(`Schedule "Every Interval" needs NATS server 2.14.0 or newer; this server runs ${version}`);
			expect(await count(suite.stream)).toBe(0);
		});
	}
});

describe('Message → Publish: All Items or None', () => {
	const items = (n: number) => Array.from({ length: n }, (_v, i) => ({ json: { n: i } }));

	if (serverAtLeast('2.12.0')) {
		it('stores all items as one atomic batch, with consecutive sequences, in input order', async () => {
			const stream = await streamWith({ allow_atomic: true });
			try {
				const out = json((await suite.run(publish(stream.subject, { allOrNone: true }), items(5))).out);
				expect(out.map((o) => o.sequence)).toEqual([1, 2, 3, 4, 5]);
				expect(JSON.parse(new TextDecoder().decode((await suite.jsm.streams.getMessage(stream.name, { seq: 4 }))!.data))).toEqual({ n: 3 });
				expectOperationOutput('message', 'publish', out);
			} finally {
				await stream.remove();
			}
		});

		it('stores none when one item is refused by the server (a subject another stream stores)', async () => {
			const stream = await streamWith({ allow_atomic: true });
			try {
				const subjects = [stream.subject, stream.subject, `${suite.prefix}elsewhere`, stream.subject];
				const params = { operation: 'publish', subject: (i: number) => subjects[i], publishOptions: { allOrNone: true } };
				await expect(suite.run(params, items(4))).rejects.toThrow('The stream did not receive every message of the atomic batch (atomic publish batch is incomplete); nothing was stored');
				expect(await count(stream.name)).toBe(0);
				expect(await count(suite.stream)).toBe(0);
			} finally {
				await stream.remove();
			}
		});

		it('stores none when one item is invalid before sending (its key was never evaluated), naming the item', async () => {
			const stream = await streamWith({ allow_atomic: true });
			try {
				const keys = ['a', 'b', '{{ $json.n }}', 'd'];
				const params = { ...publish(stream.subject, { allOrNone: true }), idempotencyKey: (i: number) => keys[i] };
				await expect(suite.run(params, items(4))).rejects.toThrow(/^Nothing was published: item 3 failed \(The Idempotency Key of item 3 is the text/);
				const { out } = await suite.run(params, items(4), true);
				expect(out.map((o) => o.json.error)).toEqual([expect.stringMatching(/^Nothing was published: item 3 failed/), expect.anything(), expect.stringMatching(/^The Idempotency Key of item 3/), expect.anything()]);
				expect(await count(stream.name)).toBe(0);
			} finally {
				await stream.remove();
			}
		});

		it('names the stream setting when the stream does not allow atomic batches, and the 1 000-item limit', async () => {
			await expect(suite.run(publish(`${suite.prefix}a`, { allOrNone: true }), items(2))).rejects.toThrow(
				`Stream "${suite.stream}" does not allow atomic batches: its setting allow_atomic ("Allow Atomic Batches") is off`,
			);
			await expect(suite.run(publish(`${suite.prefix}a`, { allOrNone: true }), items(1001))).rejects.toThrow(
				'"All Items or None" publishes at most 1000 items as one atomic batch (the server\'s limit); this execution has 1001',
			);
			expect(await count(suite.stream)).toBe(0);
		});
	} else {
		it('refuses All Items or None on a server older than 2.12 before anything is sent', async () => {
			await expect(suite.run(publish(`${suite.prefix}a`, { allOrNone: true }), items(3))).rejects.toThrow(`All Items or None needs NATS server 2.12.0 or newer; this server runs ${version}`);
			expect(await count(suite.stream)).toBe(0);
		});
	}
});
