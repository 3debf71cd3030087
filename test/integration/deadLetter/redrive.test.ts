import {
	deadLetter,
	DlqHeaders,
	listDeadLetters,
	peekDeadLetter,
	purgeDeadLetters,
	redriveDeadLetters,
	redriveMsgId,
	redriveRecord,
	type DeadLetterReason,
} from '../../../nodes/shared/deadLetter';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';
import { dlqFixture, sleep, storedMessages, type DlqFixture } from './harness';

/** Inspecting, redriving and purging the dead-letter queue against a real nats-server. */

let server: NatsServer;
let fx: DlqFixture | undefined;

beforeAll(async () => {
	server = await startNatsServer({ label: 'redrive' });
});

afterEach(async () => {
	await fx?.close();
	fx = undefined;
});

afterAll(async () => {
	await server.cleanup();
});

interface Sample {
	body: string;
	reason: DeadLetterReason;
	/** Last token of the original subject. */
	suffix: string;
}

/** Publishes each sample to `<stream>.<suffix>`, pulls it from the durable and dead-letters it. */
async function deadLetterAll(f: DlqFixture, samples: Sample[]): Promise<number[]> {
	const sequences: number[] = [];
	for (const s of samples) {
		await f.publish(s.body, { 'X-Trace': `t-${s.body}` }, `${f.stream.toLowerCase()}.${s.suffix}`);
		const [msg] = await f.fetch();
		const result = await deadLetter(f.client, msg, { reason: s.reason, error: `failed ${s.body}`, subjectPrefix: f.prefix });
		if (result.status !== 'dead-lettered') throw new Error(`dead-letter failed: ${result.error.message}`);
		sequences.push(result.dlqSequence);
	}
	return sequences;
}

const SAMPLES: Sample[] = [
	{ body: 'a', reason: 'parse-error', suffix: 'orders' },
	{ body: 'b', reason: 'max-deliveries', suffix: 'orders' },
	{ body: 'c', reason: 'parse-error', suffix: 'payments' },
];

describe('list and peek', () => {
	it('reads dead letters without consuming them, decodes the envelope, and filters by reason, subject and limit', async () => {
		fx = await dlqFixture(server);
		const seqs = await deadLetterAll(fx, SAMPLES);

		const all = await listDeadLetters(fx.client, fx.dlqStream);
		const parse = await listDeadLetters(fx.client, fx.dlqStream, { reasons: ['parse-error'] });
		const orders = await listDeadLetters(fx.client, fx.dlqStream, { originalSubject: '*.orders' });
		const limited = await listDeadLetters(fx.client, fx.dlqStream, {}, 2);
		const future = await listDeadLetters(fx.client, fx.dlqStream, { from: new Date(Date.now() + 60_000) });
		const peeked = await peekDeadLetter(fx.client, fx.dlqStream, seqs[1]);

		expect(all.map((r) => new TextDecoder().decode(r.data))).toEqual(['a', 'b', 'c']);
		expect(all[0]).toMatchObject({
			dlqStream: fx.dlqStream,
			dlqSequence: seqs[0],
			reason: 'parse-error',
			error: 'failed a',
			originalStream: fx.stream,
			originalSubject: `${fx.stream.toLowerCase()}.orders`,
			originalConsumer: fx.durable,
			deliveryCount: 1,
			headers: { 'X-Trace': 't-a' },
		});
		expect(Object.keys(all[0].headers).some((k) => k.startsWith('X-Dlq-'))).toBe(false);
		expect(parse.map((r) => r.dlqSequence)).toEqual([seqs[0], seqs[2]]);
		expect(orders.map((r) => r.dlqSequence)).toEqual([seqs[0], seqs[1]]);
		expect(limited).toHaveLength(2);
		expect(future).toHaveLength(0);
		expect(peeked).toMatchObject({ dlqSequence: seqs[1], reason: 'max-deliveries' });
		expect(await peekDeadLetter(fx.client, fx.dlqStream, 999)).toBeNull();
		// Nothing was consumed: the DLQ still holds all three, and the scan consumers are gone.
		const info = await fx.jsm.streams.info(fx.dlqStream);
		expect(info.state.messages).toBe(3);
		expect(info.state.consumer_count).toBe(0);
	});
});

describe('redrive', () => {
	it('republishes to the original subject with the original headers, removes the dead letters, and a second redrive publishes nothing', async () => {
		fx = await dlqFixture(server);
		const seqs = await deadLetterAll(fx, SAMPLES);
		const before = (await fx.jsm.streams.info(fx.stream)).state.last_seq;

		const first = await redriveDeadLetters(fx.client, fx.dlqStream, { sequences: seqs });
		const second = await redriveDeadLetters(fx.client, fx.dlqStream, { sequences: seqs });
		const everything = await redriveDeadLetters(fx.client, fx.dlqStream);

		expect(first).toMatchObject({ redriven: 3, duplicates: 0, failed: 0 });
		expect(second).toMatchObject({ redriven: 0, duplicates: 0, skipped: 3 });
		expect(second.outcomes.map((o) => o.status)).toEqual(['not-found', 'not-found', 'not-found']);
		expect(everything.outcomes).toHaveLength(0);
		expect((await fx.jsm.streams.info(fx.dlqStream)).state.messages).toBe(0);
		const republished = (await storedMessages(fx.jsm, fx.stream)).filter((m) => m.seq > before);
		expect(republished.map((m) => new TextDecoder().decode(m.data))).toEqual(['a', 'b', 'c']);
		expect(republished[0].subject).toBe(`${fx.stream.toLowerCase()}.orders`);
		expect(republished[2].subject).toBe(`${fx.stream.toLowerCase()}.payments`);
		expect(republished[0].header.get('X-Trace')).toBe('t-a');
		expect(republished[0].header.get(DlqHeaders.Reason)).toBe('');
		expect(republished[0].header.get('Nats-Msg-Id')).toBe(redriveMsgId(fx.dlqStream, seqs[0]));
	});

	it('deduplicates a redrive repeated after the republish but before the delete (crash in between)', async () => {
		fx = await dlqFixture(server);
		const [seq] = await deadLetterAll(fx, [SAMPLES[0]]);
		const record = await peekDeadLetter(fx.client, fx.dlqStream, seq);
		if (!record) throw new Error('dead letter missing');
		const before = (await fx.jsm.streams.info(fx.stream)).state.messages;

		const first = await redriveRecord(fx.client, record);
		// The same record again, as if the process died before deleting it and the redrive ran again.
		const repeat = await redriveRecord(fx.client, record);

		expect(first.status).toBe('redriven');
		expect(repeat.status).toBe('duplicate');
		expect(repeat.sequence).toBe(first.sequence);
		expect((await fx.jsm.streams.info(fx.stream)).state.messages).toBe(before + 1);
	});

	it('redrives by filter and range to another subject, leaving the rest in the DLQ', async () => {
		fx = await dlqFixture(server);
		const seqs = await deadLetterAll(fx, SAMPLES);
		const target = `${fx.stream.toLowerCase()}.retry`;

		const report = await redriveDeadLetters(
			fx.client,
			fx.dlqStream,
			{ fromSequence: seqs[1], toSequence: seqs[2], filter: { reasons: ['parse-error'] } },
			{ targetSubject: target },
		);

		expect(report).toMatchObject({ redriven: 1 });
		expect(report.outcomes[0]).toMatchObject({ dlqSequence: seqs[2], subject: target, removedFromDlq: true });
		const left = await listDeadLetters(fx.client, fx.dlqStream);
		expect(left.map((r) => r.dlqSequence)).toEqual([seqs[0], seqs[1]]);
	});

	it('ends when redriving into a subject the dead-letter stream itself captures (no endless loop)', async () => {
		fx = await dlqFixture(server);
		const seqs = await deadLetterAll(fx, SAMPLES);

		const report = await redriveDeadLetters(fx.client, fx.dlqStream, {}, { targetSubject: `${fx.prefix}.manual.review` });

		expect(report.redriven).toBe(seqs.length);
		const left = await listDeadLetters(fx.client, fx.dlqStream);
		expect(left.map((r) => r.dlqSubject)).toEqual(seqs.map(() => `${fx?.prefix}.manual.review`));
	});

	it('keeps the dead letter when the republish fails', async () => {
		fx = await dlqFixture(server);
		const [seq] = await deadLetterAll(fx, [SAMPLES[0]]);

		const report = await redriveDeadLetters(fx.client, fx.dlqStream, { sequences: [seq] }, { targetSubject: 'nobody.captures.this' });

		expect(report).toMatchObject({ redriven: 0, failed: 1 });
		expect(report.outcomes[0].message).toMatch(/No stream captures subject "nobody.captures.this"/);
		expect(await peekDeadLetter(fx.client, fx.dlqStream, seq)).not.toBeNull();
	});
});

describe('purge', () => {
	it('purges by reason, then by original subject, then everything', async () => {
		fx = await dlqFixture(server);
		const seqs = await deadLetterAll(fx, [...SAMPLES, { body: 'd', reason: 'rejected', suffix: 'payments' }]);

		const byReason = await purgeDeadLetters(fx.client, fx.dlqStream, { filter: { reasons: ['parse-error'] } });
		const afterReason = (await listDeadLetters(fx.client, fx.dlqStream)).map((r) => r.dlqSequence);
		const bySubject = await purgeDeadLetters(fx.client, fx.dlqStream, { filter: { originalSubject: '*.payments' } });
		const afterSubject = (await listDeadLetters(fx.client, fx.dlqStream)).map((r) => r.dlqSequence);
		const all = await purgeDeadLetters(fx.client, fx.dlqStream);

		expect(byReason.purged).toBe(2);
		expect(afterReason).toEqual([seqs[1], seqs[3]]);
		expect(bySubject.purged).toBe(1);
		expect(afterSubject).toEqual([seqs[1]]);
		expect(all.purged).toBe(1);
		expect((await fx.jsm.streams.info(fx.dlqStream)).state.messages).toBe(0);
	});

	it('purges dead letters older than a time and keeps newer ones', async () => {
		fx = await dlqFixture(server);
		const old = await deadLetterAll(fx, SAMPLES.slice(0, 2));
		await sleep(50);
		const cutoff = new Date();
		await sleep(50);
		const recent = await deadLetterAll(fx, SAMPLES.slice(2));

		const report = await purgeDeadLetters(fx.client, fx.dlqStream, { olderThan: cutoff });
		const none = await purgeDeadLetters(fx.client, fx.dlqStream, { olderThan: new Date(Date.now() - 3_600_000) });

		expect(report.purged).toBe(old.length);
		expect(none.purged).toBe(0);
		expect((await listDeadLetters(fx.client, fx.dlqStream)).map((r) => r.dlqSequence)).toEqual(recent);
	});
});
