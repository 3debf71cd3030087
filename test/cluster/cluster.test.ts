import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject, ITriggerResponse } from 'n8n-workflow';

import { JetStream } from '../../nodes/JetStream/JetStream.node';
import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { triggerSettled } from '../../nodes/JetStreamTrigger/consumer/startTrigger';
import { connectionPool } from '../../nodes/shared/transport';
import { fakeExecute } from '../helpers/fakeExecute';
import { eventually, fakeTrigger, type FakeTrigger, type ScriptedOutcome } from '../helpers/fakeTrigger';
import { startNatsCluster, type NatsCluster } from '../helpers/natsCluster';
import { serverVersion } from '../helpers/natsServer';

/**
 * A three-node JetStream cluster on loopback, every stream and bucket with 3 replicas. The JetStream
 * node publishes keyed orders (Nats-Msg-Id) while the trigger consumes them with Skip Duplicates and a
 * workflow that records each order in a DONE stream. Meanwhile the stream's leader is SIGKILLed twice
 * (restarted each time) and the meta leader once. Nothing may be lost, no order done twice, no publish
 * may fail, and the trigger must carry on by itself (no error for n8n to reactivate it).
 */

const KEYS = Number(process.env.CLUSTER_MESSAGES ?? 3_000);
const BATCH = 50;

let cluster: NatsCluster;
let nc: NatsConnection;
let trigger: ITriggerResponse | undefined;

beforeAll(async () => {
	cluster = await startNatsCluster(3, 'cluster');
	nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1, reconnectTimeWait: 100, name: 'cluster-test' });
	// The cluster elects its meta leader after the servers start: ask until JetStream answers.
	const jsm = await jetstreamManager(nc, { checkAPI: false });
	await eventually(async () => !!(await jsm.getAccountInfo().catch(() => undefined)), 30_000, 'JetStream cluster ready');
}, 60_000);

afterAll(async () => {
	const closing = trigger;
	await closing?.closeFunction?.();
	if (closing) await triggerSettled.get(closing);
	await connectionPool.closeAll();
	await nc?.close().catch(() => undefined);
	await cluster?.cleanup();
});

async function streamLeader(jsm: JetStreamManager, stream: string): Promise<string> {
	let leader = '';
	await eventually(async () => {
		leader = (await jsm.streams.info(stream).catch(() => undefined))?.cluster?.leader ?? '';
		return leader !== '';
	}, 30_000, `a leader for ${stream}`);
	return leader;
}

/** The workflow's effect downstream: one DONE record per successful execution, retried until stored. */
async function recordDone(js: ReturnType<typeof jetstream>, orderId: string, emission: number): Promise<boolean> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const ok = await js.publish('done.orders', JSON.stringify({ orderId }), { msgID: `done-${emission}`, timeout: 2_000 }).then(
			() => true,
			() => false,
		);
		if (ok || Date.now() > deadline) return ok;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}


/** A read of the test's own, retried while the cluster answers "temporarily unavailable" (an election). */
async function settled<T>(read: () => Promise<T>): Promise<T> {
	const until = Date.now() + 30_000;
	for (;;) {
		try {
			return await read();
		} catch (error) {
			if (!/temporarily unavailable/i.test((error as Error).message) || Date.now() > until) throw error;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}

it(`loses nothing and runs nothing twice while stream and meta leaders are killed (${KEYS} orders, 3 replicas)`, async () => {
	const jsm = await jetstreamManager(nc, { checkAPI: false });
	const js = jetstream(nc);
	await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'], num_replicas: 3 });
	await jsm.streams.add({ name: 'DONE', subjects: ['done.>'], num_replicas: 3 });
	const credentials = { servers: cluster.servers, authType: 'none', replicas: 3, connectionName: 'cluster-trigger' };

	const fake: FakeTrigger = fakeTrigger({
		params: {
			stream: 'ORDERS',
			consumerMode: 'createOrUpdate',
			durableName: 'orders',
			filterSubjects: '',
			deliverPolicy: 'all',
			ackWaitSeconds: 5,
			maxDeliver: 20,
			backoff: '',
			maxAckPending: 1000,
			ackMode: 'executionSucceeds',
			idempotency: 'payloadField',
			idempotencyField: 'orderId',
			options: { parallelExecutions: 8, retryDelay: 0.2, maxRetryDelay: 2, executionTimeout: 30 },
		},
		credentials,
		script: async ({ items, index }): Promise<ScriptedOutcome> => {
			const { orderId } = items[0].json.payload as { orderId: string };
			return (await recordDone(js, orderId, index)) ? 'succeed' : 'fail';
		},
	});
	trigger = await new JetStreamTrigger().trigger.call(fake.context);

	const doneCount = async () => (await jsm.streams.info('DONE').catch(() => undefined))?.state.messages ?? 0;
	// The producer: the JetStream node, publishing keyed batches through the elections — never more
	// than a few hundred ahead of the consumer, so it publishes during every kill.
	const node = new JetStream();
	const publishErrors: string[] = [];
	let published = 0;
	let slowestBatchMs = 0;
	const producing = (async () => {
		for (let start = 0; start < KEYS; start += BATCH) {
			while (start - (await doneCount()) > 300) await new Promise((resolve) => setTimeout(resolve, 100));
			const items = Array.from({ length: Math.min(BATCH, KEYS - start) }, (_, i) => ({ json: { orderId: `C-${start + i}` } as IDataObject }));
			const run = fakeExecute({
				params: { resource: 'message', operation: 'publish', subject: 'orders.created', payloadSource: 'json', idempotencyKey: (i: number) => items[i].json.orderId, options: {} },
				items,
				credentials,
				continueOnFail: true,
			});
			const began = Date.now();
			const [out] = await node.execute.call(run.context);
			slowestBatchMs = Math.max(slowestBatchMs, Date.now() - began);
			for (const item of out) {
				if (item.json.error) publishErrors.push(String(item.json.error));
				else published++;
			}
		}
	})();

	const recoveries: string[] = [];
	const killAt = async (share: number, which: 'stream' | 'meta') => {
		await eventually(async () => (await doneCount()) >= KEYS * share, 120_000, `${share * 100} % done`);
		const victim = which === 'stream' ? await streamLeader(jsm, 'ORDERS') : await cluster.metaLeader();
		const before = await doneCount();
		const killed = Date.now();
		await cluster.node(victim).stop('SIGKILL');
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		await cluster.node(victim).start();
		await eventually(async () => (await doneCount()) > before + 8 * 3, 60_000, `progress after killing ${which} leader ${victim}`);
		recoveries.push(`${which} leader ${victim} killed: progress again after ${((Date.now() - killed) / 1000).toFixed(1)} s`);
	};
	await killAt(0.15, 'stream');
	await killAt(0.45, 'stream');
	await killAt(0.7, 'meta');
	await producing;
	await eventually(async () => {
		const info = await jsm.consumers.info('ORDERS', 'orders').catch(() => undefined);
		return (await doneCount()) >= KEYS && !!info && info.num_pending === 0 && info.num_ack_pending === 0;
	}, 120_000, 'every order done and answered').catch(async (error: Error) => {
		const info = await jsm.consumers.info('ORDERS', 'orders').catch((e: Error) => e.message);
		const logs = fake.logs.filter((l) => l.level !== 'debug').slice(-25).map((l) => `${l.level} ${l.message}`);
		throw new Error(`${error.message}: ${published} published, ${publishErrors.length} publish errors (${[...new Set(publishErrors)].slice(0, 3).join(' | ')}), ${await doneCount()} done, ${fake.running()} running, consumer ${JSON.stringify(info)}\n${logs.join('\n')}`);
	});

	// What the workflow did, from the DONE stream; what the stream holds; what was dead-lettered. Read
	// through a leader election that may still be settling after the last kill.
	const doneInfo = await settled(() => jsm.streams.info('DONE'));
	const done = new Map<string, number>();
	for (let seq = doneInfo.state.first_seq; seq <= doneInfo.state.last_seq; seq++) {
		const msg = await settled(() => jsm.streams.getMessage('DONE', { seq }));
		const { orderId } = JSON.parse(new TextDecoder().decode(msg!.data)) as { orderId: string };
		done.set(orderId, (done.get(orderId) ?? 0) + 1);
	}
	const ordersStored = (await settled(() => jsm.streams.info('ORDERS'))).state.messages;
	const dead = (await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0;
	const twice = [...done].filter(([, n]) => n > 1);
	const missing = Array.from({ length: KEYS }, (_, i) => `C-${i}`).filter((k) => !done.has(k));
	console.log(
		`cluster (nats-server ${serverVersion()}, 3 nodes, R3): ${published} published (${publishErrors.length} failed${publishErrors.length ? `: ${[...new Set(publishErrors)].slice(0, 3).join(" | ")}` : ""}, slowest batch of ${BATCH} ${slowestBatchMs} ms), ${ordersStored} stored; ` +
			`${done.size} orders done, ${twice.length} twice, ${missing.length} missing, ${dead} dead-lettered; ${fake.emissions.length} executions; ${recoveries.join('; ')}`,
	);
	expect(publishErrors).toEqual([]);
	expect(published).toBe(KEYS);
	expect(ordersStored).toBe(KEYS);
	expect(missing).toEqual([]);
	expect(twice).toEqual([]);
	expect(dead).toBe(0);
	expect(fake.emittedErrors).toEqual([]);
	// What the trigger created itself has the replicas the credential asks for.
	expect((await jsm.streams.info('DLQ')).config.num_replicas).toBe(3);
	expect((await jsm.streams.info('KV_n8n_processed_ORDERS_orders')).config.num_replicas).toBe(3);
}, 600_000);
