import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { triggerSettled } from '../../nodes/JetStreamTrigger/consumer/startTrigger';
import { eventually, fakeTrigger, type FakeTrigger, type ScriptedOutcome } from '../helpers/fakeTrigger';
import { serverAtLeast, startNatsServer, type NatsServer } from '../helpers/natsServer';

/**
 * Chaos: N keyed messages (some published twice under another Nats-Msg-Id, so the stream keeps both),
 * a workflow that writes each order it processed to a DONE stream (as a real one would call a
 * system downstream), fails 10 % of the time and now and then hangs, two SIGKILL restarts of the
 * server and two trigger restarts during the run.
 *
 * The accounting uses only independent observations: the orders in the DONE stream (what the
 * workflow did), the copies in the dead-letter stream, and the source stream itself. Every source
 * message must have exactly one fate — its order done under its own sequence, dead-lettered, or
 * skipped because its key was done under another sequence — and every key must be done once or
 * dead-lettered. A key done twice is a failure. On nats-server 2.10+ the test servers sync every write
 * (`sync_interval: always`), so a SIGKILL loses nothing confirmed and no repeat is accepted. Only on
 * 2.9, which can lose acknowledgements and key-value writes it had confirmed (it has no
 * sync_interval), is a repeat right across a SIGKILL accepted: named in the output and bounded.
 *
 * CHAOS_MESSAGES sets N (npm test: 2 000; npm run test:chaos: 100 000).
 */

const KEYS = Number(process.env.CHAOS_MESSAGES ?? 2_000);
const DUPLICATE_EVERY = 20;
const STREAM = 'CHAOS';
/** Bounded waits that grow with the run: about 10 ms per key and phase, at least 3 minutes. */
const PHASE_MS = Math.max(180_000, KEYS * 10);
/** nats-server 2.9 only: at most this many keys may run again across each SIGKILL (it forgets its last writes). */
const REPEATS_PER_KILL = serverAtLeast('2.10.0') ? 0 : 20;

let server: NatsServer;
let nc: NatsConnection;
/** The trigger running now; closed in afterAll too, so a failed run never leaves it consuming. */
let trigger: ITriggerResponse | undefined;

beforeAll(async () => {
	server = await startNatsServer({ label: 'chaos' });
});

afterAll(async () => {
	await closeTrigger();
	await nc?.close().catch(() => undefined);
	await server.cleanup();
});

async function closeTrigger(): Promise<void> {
	const closing = trigger;
	trigger = undefined;
	await closing?.closeFunction?.();
	if (closing) await triggerSettled.get(closing);
}

/** Like `eventually`, but looking only twice a second: counting 100 000 emissions is not free. */
async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	await eventually(async () => {
		if (await check()) return true;
		await new Promise((resolve) => setTimeout(resolve, 500));
		return false;
	}, timeoutMs, what);
}

/** A small deterministic random source, so a failing run can be replayed. */
function random(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s * 1664525 + 1013904223) >>> 0;
		return s / 2 ** 32;
	};
}

async function publishAll(js: ReturnType<typeof jetstream>): Promise<number> {
	let count = 0;
	const inFlight = new Set<Promise<unknown>>();
	const send = async (key: string, msgId: string) => {
		const h = natsHeaders();
		h.set('Nats-Msg-Id', msgId);
		if (inFlight.size >= 256) await Promise.race(inFlight);
		const p = js.publish('chaos.orders', JSON.stringify({ orderId: key }), { headers: h }).finally(() => inFlight.delete(p));
		inFlight.add(p);
		count++;
	};
	for (let i = 0; i < KEYS; i++) {
		await send(`k-${i}`, `k-${i}`);
		if (i % DUPLICATE_EVERY === 0) await send(`k-${i}`, `k-${i}-again`);
	}
	await Promise.all(inFlight);
	return count;
}

const params = {
	stream: STREAM,
	consumerMode: 'createOrUpdate',
	durableName: 'chaos',
	filterSubjects: '',
	deliverPolicy: 'all',
	ackWaitSeconds: 3,
	maxDeliver: 4,
	backoff: '',
	maxAckPending: 1000,
	ackMode: 'executionSucceeds',
	idempotency: 'payloadField',
	idempotencyField: 'orderId',
	idempotencyOptions: { idempotencyLeaseSeconds: 6 },
	options: { parallelExecutions: 16, retryDelay: 0.05, maxRetryDelay: 0.3, executionTimeout: 2, closeTimeout: 2 },
};

/**
 * Downstream writes the workflow could not confirm (the server died between storing and answering):
 * the execution failed, so running the message again is the at-least-once promise, not a repeat.
 */
const unconfirmed = new Set<string>();
let attempts = 0;

function startTrigger(seed: number, fakes: FakeTrigger[], js: ReturnType<typeof jetstream>) {
	const next = random(seed);
	const run = fakes.length + 1;
	const fake = fakeTrigger({
		params,
		credentials: { servers: server.url, authType: 'none' },
		script: async ({ items }): Promise<ScriptedOutcome> => {
			const r = next();
			if (r < 0.1) return 'fail';
			if (r < 0.105) return 'crash';
			const { orderId } = items[0].json.payload as { orderId: string };
			// The workflow's effect downstream; if it cannot be written (server down), the execution fails.
			const attempt = `a${++attempts}`;
			const written = await js.publish('done.orders', JSON.stringify({ orderId, seq: items[0].json.streamSequence, run, at: Date.now(), attempt })).then(
				() => true,
				() => false,
			);
			if (!written) unconfirmed.add(attempt);
			return written ? 'succeed' : 'fail';
		},
	});
	fakes.push(fake);
	return new JetStreamTrigger().trigger.call(fake.context);
}

interface Done {
	orderId: string;
	seq: number;
	run: number;
	at: number;
	attempt: string;
}

async function readStream<T>(jsm: JetStreamManager, name: string, read: (data: Uint8Array, header: (k: string) => string) => T): Promise<T[]> {
	const out: T[] = [];
	const info = await jsm.streams.info(name).catch(() => undefined);
	if (!info || info.state.messages === 0) return out;
	for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
		const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null);
		if (msg) out.push(read(msg.data, (k) => msg.header?.get(k) ?? ''));
	}
	return out;
}

const decode = (data: Uint8Array) => JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;

it(`loses nothing and processes no key twice through kills and restarts (${KEYS} keys)`, async () => {
	nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	await jsm.streams.add({ name: STREAM, subjects: ['chaos.>'] });
	await jsm.streams.add({ name: 'DONE', subjects: ['done.>'] });
	const total = await publishAll(js);
	const started = Date.now();
	const fakes: FakeTrigger[] = [];
	trigger = await startTrigger(1, fakes, js);
	// Progress is watched on the DONE stream, the workflow's own record of what it did.
	const doneCount = async () => (await jsm.streams.info('DONE').catch(() => undefined))?.state.messages ?? 0;
	const at = async (share: number) => {
		await waitFor(async () => (await doneCount()) >= KEYS * share, PHASE_MS, `${share * 100} % of the keys processed`);
		process.stderr.write(`chaos: ${share * 100} % of the keys processed after ${Math.round((Date.now() - started) / 1000)} s\n`);
	};
	const kills: number[] = [];
	const kill = async () => {
		kills.push(Date.now());
		await server.stop('SIGKILL');
		await server.restart();
	};
	await at(0.2);
	await kill();
	await at(0.4);
	await closeTrigger();
	trigger = await startTrigger(2, fakes, js);
	await at(0.6);
	await kill();
	await at(0.8);
	await closeTrigger();
	trigger = await startTrigger(3, fakes, js);
	await waitFor(async () => {
		const info = await jsm.consumers.info(STREAM, 'chaos').catch(() => undefined);
		return !!info && info.num_pending === 0 && info.num_ack_pending === 0;
	}, PHASE_MS, 'every message answered').catch(async (error: Error) => {
		const info = await jsm.consumers.info(STREAM, 'chaos').catch(() => undefined);
		throw new Error(`${error.message}: ${await doneCount()} done, consumer ${JSON.stringify({ pending: info?.num_pending, ackPending: info?.num_ack_pending, delivered: info?.delivered, ackFloor: info?.ack_floor })}`);
	});
	await closeTrigger();

	// Independent observations: the source stream, what the workflow did, what was dead-lettered.
	const source = await readStream(jsm, STREAM, (data) => String(decode(data).orderId));
	const done = await readStream(jsm, 'DONE', (data) => decode(data) as unknown as Done);
	const dead = await readStream(jsm, 'DLQ', (data, header) => ({ orderId: String(decode(data).orderId), seq: Number(header('X-Dlq-Sequence')), reason: header('X-Dlq-Reason') }));
	expect(source).toHaveLength(total);

	const doneBySeq = new Map<number, Done[]>();
	const doneByKey = new Map<string, Done[]>();
	for (const d of done) {
		doneBySeq.set(d.seq, [...(doneBySeq.get(d.seq) ?? []), d]);
		doneByKey.set(d.orderId, [...(doneByKey.get(d.orderId) ?? []), d]);
	}
	const deadSeqs = new Set(dead.map((d) => d.seq));
	// Each source message's fate, from the observations alone.
	const fates = { done: 0, deadLettered: 0, skippedDuplicate: 0, unaccounted: [] as number[], doneAndDead: [] as number[] };
	source.forEach((orderId, index) => {
		const seq = index + 1;
		const ranHere = doneBySeq.has(seq);
		const deadHere = deadSeqs.has(seq);
		// Dead-lettered although the workflow did it: wrong only when a run of it succeeded. A write the
		// server stored but could not confirm (killed in between) failed its execution, as every later
		// delivery may have: giving up on the message after them is right (seen once in CI: message 451).
		const confirmedHere = (doneBySeq.get(seq) ?? []).some((d) => !unconfirmed.has(d.attempt));
		if (confirmedHere && deadHere) fates.doneAndDead.push(seq);
		if (ranHere) fates.done++;
		else if (deadHere) fates.deadLettered++;
		else if (doneByKey.has(orderId)) fates.skippedDuplicate++;
		else fates.unaccounted.push(seq);
	});
	// A key the workflow did more than once; allowed only right across a kill (see above).
	const acrossKill = (runs: Done[]) =>
		[...runs].sort((a, b) => a.at - b.at).every((run, i, all) => i === 0 || kills.some((k) => all[i - 1].at <= k + 1_000 && k <= run.at));
	// Only a run after a confirmed one is a repeat: after an unconfirmed write the execution had failed.
	const afterConfirmed = (runs: Done[]) => [...runs].sort((a, b) => a.at - b.at).slice(0, -1).some((r) => !unconfirmed.has(r.attempt));
	const retriedUnconfirmed = [...doneByKey].filter(([, runs]) => runs.length > 1 && !afterConfirmed(runs));
	const repeated = [...doneByKey].filter(([, runs]) => runs.length > 1 && afterConfirmed(runs));
	const twice = repeated.filter(([, runs]) => !acrossKill(runs));
	const afterCrash = repeated.filter(([, runs]) => acrossKill(runs));
	const keysDeadOnly = [...new Set(dead.map((d) => d.orderId))].filter((k) => !doneByKey.has(k));
	const missingKeys = Array.from({ length: KEYS }, (_, i) => `k-${i}`).filter((k) => !doneByKey.has(k) && !keysDeadOnly.includes(k));
	const emissions = fakes.flatMap((f) => f.emissions);
	console.log(
		`chaos: ${total} messages for ${KEYS} keys, ${kills.length} SIGKILLs, ${fakes.length} trigger runs, ${emissions.length} executions ` +
			`(${emissions.filter((e) => e.outcome === 'failed').length} failed, ${emissions.filter((e) => !e.outcome).length} hung). ` +
			`Fates: ${fates.done} done, ${fates.deadLettered} dead-lettered, ${fates.skippedDuplicate} skipped as duplicates, ${fates.unaccounted.length} unaccounted. ` +
			`Keys: ${doneByKey.size} done, ${keysDeadOnly.length} only dead-lettered, ${missingKeys.length} missing; ` +
			`${retriedUnconfirmed.length} run again after a write the server stored but could not confirm (execution failed); ` +
			`${twice.length} done twice; ${afterCrash.length} done again across a SIGKILL (nats-server ${nc.info?.version}, ` +
			`${REPEATS_PER_KILL === 0 ? 'sync_interval always: none accepted' : `2.9 without sync_interval: up to ${REPEATS_PER_KILL} per kill accepted`}: ${afterCrash.map(([k]) => k).join(', ') || 'none'})`,
	);
	expect(fates.unaccounted).toEqual([]);
	expect(missingKeys).toEqual([]);
	expect(twice.map(([key, runs]) => [key, runs.map((r) => r.seq)])).toEqual([]);
	expect(afterCrash.length).toBeLessThanOrEqual(REPEATS_PER_KILL * kills.length);
	expect(fates.doneAndDead).toEqual([]);
	expect(dead.every((d) => d.reason === 'max-deliveries')).toBe(true);
	// Every duplicate copy published is either skipped or was itself the one that ran.
	expect(fates.skippedDuplicate).toBeLessThanOrEqual(Math.ceil(KEYS / DUPLICATE_EVERY));
	const info = await jsm.consumers.info(STREAM, 'chaos');
	expect(info.num_pending + info.num_ack_pending).toBe(0);
}, PHASE_MS * 6);
