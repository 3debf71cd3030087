import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { eventually, fakeTrigger, type FakeTrigger } from '../helpers/fakeTrigger';
import { startNatsServer, type NatsServer } from '../helpers/natsServer';

/**
 * Chaos: N keyed messages (some published twice under another Nats-Msg-Id, so the stream keeps both),
 * a trigger whose executions fail 10 % of the time and now and then hang, two SIGKILL restarts of the
 * server and two trigger restarts during the run. At the end every key was processed successfully
 * exactly once (or, right across a SIGKILL that lost the server's record of it, once more) or sits in
 * the dead-letter stream, and every stream message is accounted for.
 *
 * CHAOS_MESSAGES sets N (npm test: 2 000; npm run test:chaos: 100 000).
 */

const KEYS = Number(process.env.CHAOS_MESSAGES ?? 2_000);
const DUPLICATE_EVERY = 20;
const STREAM = 'CHAOS';
/** Bounded waits that grow with the run: about 10 ms per key and phase, at least 3 minutes. */
const PHASE_MS = Math.max(180_000, KEYS * 10);

let server: NatsServer;
let nc: NatsConnection;
/** The trigger running now; closed in afterAll too, so a failed run never leaves it consuming. */
let trigger: ITriggerResponse | undefined;

beforeAll(async () => {
	server = await startNatsServer({ label: 'chaos' });
});

afterAll(async () => {
	await trigger?.closeFunction?.();
	await nc?.close().catch(() => undefined);
	await server.cleanup();
});

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

function startTrigger(seed: number, fakes: FakeTrigger[]) {
	const next = random(seed);
	const fake = fakeTrigger({
		params,
		credentials: { servers: server.url, authType: 'none' },
		script: () => {
			const r = next();
			if (r < 0.1) return 'fail';
			if (r < 0.105) return 'crash';
			return 'succeed';
		},
	});
	fakes.push(fake);
	return new JetStreamTrigger().trigger.call(fake.context);
}

async function dlqOrders(jsm: JetStreamManager): Promise<Map<number, { orderId: string; reason: string }>> {
	const out = new Map<number, { orderId: string; reason: string }>();
	const info = await jsm.streams.info('DLQ').catch(() => undefined);
	if (!info || info.state.messages === 0) return out;
	for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
		const msg = await jsm.streams.getMessage('DLQ', { seq });
		if (!msg) continue;
		out.set(Number(msg.header.get('X-Dlq-Sequence')), { orderId: (JSON.parse(new TextDecoder().decode(msg.data)) as { orderId: string }).orderId, reason: msg.header.get('X-Dlq-Reason') });
	}
	return out;
}

/** For a failed run: each key neither succeeded nor dead-lettered, with every execution of it and the kills. */
async function unfinished(jsm: JetStreamManager, fakes: FakeTrigger[], kills: number[]): Promise<string> {
	const emissions = fakes.flatMap((f, run) => f.emissions.map((e) => ({ ...e, run })));
	const orderOf = (e: (typeof emissions)[number]) => (e.items[0].json.payload as { orderId: string }).orderId;
	const done = new Set(emissions.filter((e) => e.outcome === 'succeeded').map(orderOf));
	const dead = new Set([...(await dlqOrders(jsm)).values()].map((d) => d.orderId));
	const keys = Array.from({ length: KEYS }, (_, i) => `k-${i}`).filter((k) => !done.has(k) && !dead.has(k));
	const history = keys.slice(0, 10).map((key) => {
		const runs = emissions.filter((e) => orderOf(e) === key);
		return `${key}: ${runs.map((e) => `trigger ${e.run + 1} seq ${String(e.items[0].json.streamSequence)} delivery ${String(e.items[0].json.deliveryCount)} ${e.outcome ?? 'running'} at ${e.startedAt}`).join(', ') || 'never emitted'}`;
	});
	return `${keys.length} keys (kills at ${kills.join(', ')}) ${history.join('; ')}`;
}

it(`loses nothing and processes no key twice through kills and restarts (${KEYS} keys)`, async () => {
	nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
	const jsm = await jetstreamManager(nc);
	await jsm.streams.add({ name: STREAM, subjects: ['chaos.>'] });
	const total = await publishAll(jetstream(nc));
	const started = Date.now();
	const fakes: FakeTrigger[] = [];
	trigger = await startTrigger(1, fakes);
	// Progress is counted from the executions, not the consumer's ack floor: after a SIGKILL nats-server
	// 2.9 may restore an older ack floor although those messages were acknowledged.
	const keysDone = () => new Set(fakes.flatMap((f) => f.emissions).filter((e) => e.outcome === 'succeeded').map((e) => (e.items[0].json.payload as { orderId: string }).orderId)).size;
	const at = async (share: number) => {
		await waitFor(() => keysDone() >= KEYS * share, PHASE_MS, `${share * 100} % of the keys processed`);
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
	await trigger.closeFunction?.();
	trigger = undefined;
	trigger = await startTrigger(2, fakes);
	await at(0.6);
	await kill();
	await at(0.8);
	await trigger.closeFunction?.();
	trigger = undefined;
	trigger = await startTrigger(3, fakes);
	await waitFor(async () => {
		const info = await jsm.consumers.info(STREAM, 'chaos').catch(() => undefined);
		if (!info || info.num_pending > 0 || info.num_ack_pending > 0) return false;
		const dead = (await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0;
		return keysDone() + dead >= KEYS;
	}, PHASE_MS, 'every key processed or dead-lettered').catch(async (error: Error) => {
		const info = await jsm.consumers.info(STREAM, 'chaos').catch(() => undefined);
		const dead = (await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0;
		throw new Error(
			`${error.message}: ${keysDone()} keys done, ${dead} dead letters, consumer ${JSON.stringify({ pending: info?.num_pending, ackPending: info?.num_ack_pending, delivered: info?.delivered, ackFloor: info?.ack_floor, redelivered: info?.num_redelivered })}; ` +
				`not done: ${await unfinished(jsm, fakes, kills)}`,
		);
	});
	await trigger.closeFunction?.();
	trigger = undefined;

	// What happened, from the execution log and the dead-letter stream.
	const succeeded = new Map<string, Array<{ seq: number; startedAt: number; endedAt: number }>>();
	let failed = 0;
	let hung = 0;
	for (const e of fakes.flatMap((f) => f.emissions)) {
		const item = e.items[0].json as { payload: { orderId: string }; streamSequence: number };
		const run = { seq: item.streamSequence, startedAt: e.startedAt, endedAt: e.endedAt ?? 0 };
		if (e.outcome === 'succeeded') succeeded.set(item.payload.orderId, [...(succeeded.get(item.payload.orderId) ?? []), run]);
		else if (e.outcome === 'failed') failed++;
		else hung++;
	}
	const dead = await dlqOrders(jsm);
	// nats-server 2.9 writes JetStream state behind its acknowledgements: a SIGKILL can lose the last
	// acks and key-value writes (claims, processed records) it confirmed — 2.9 has no sync_interval — so
	// a key being finished around a kill may run once more after it. Such a repeat must straddle a kill
	// (the earlier run started before it, the later one after it); any other repeat is a bug.
	const acrossKill = (runs: Array<{ startedAt: number; endedAt: number }>) =>
		[...runs].sort((a, b) => a.startedAt - b.startedAt).every((run, i, all) => i === 0 || kills.some((k) => all[i - 1].startedAt <= k && k <= run.startedAt));
	const repeated = [...succeeded].filter(([, runs]) => runs.length > 1);
	const twice = repeated.filter(([, runs]) => !acrossKill(runs));
	const lostToCrash = repeated.length - twice.length;
	const missing: string[] = [];
	for (let i = 0; i < KEYS; i++) {
		const key = `k-${i}`;
		if (!succeeded.has(key) && ![...dead.values()].some((d) => d.orderId === key)) missing.push(key);
	}
	const skippedDuplicates = total - succeeded.size - dead.size;
	expect(twice.map(([key, runs]) => [key, runs.map((r) => r.seq)])).toEqual([]);
	console.log(
		`chaos: ${total} messages for ${KEYS} keys; ${succeeded.size} keys processed once, ${dead.size} dead-lettered ` +
			`(${[...dead.values()].filter((d) => d.reason === 'max-deliveries').length} max-deliveries), ${skippedDuplicates} duplicate copies skipped; ` +
			`${failed} failed and ${hung} hung executions along the way; ${lostToCrash} keys run again after a server crash lost their record; ${twice.length} keys processed twice otherwise; ${missing.length} missing`,
	);
	expect(missing).toEqual([]);
	expect([...dead.values()].every((d) => d.reason === 'max-deliveries')).toBe(true);
	// Every message: processed, dead-lettered, or a copy of a key processed under another sequence.
	expect(succeeded.size + dead.size + skippedDuplicates).toBe(total);
	expect(skippedDuplicates).toBeGreaterThanOrEqual(0);
	expect(skippedDuplicates).toBeLessThanOrEqual(Math.ceil(KEYS / DUPLICATE_EVERY));
	const info = await jsm.consumers.info(STREAM, 'chaos');
	expect(info.num_pending + info.num_ack_pending).toBe(0);
}, PHASE_MS * 6);
