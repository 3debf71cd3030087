'use strict';
/**
 * End-to-end: a real n8n 2.x with this package installed as a community package, a real nats-server,
 * and only n8n's public interfaces (REST login, public API, webhooks). `npm run test:e2e`.
 * The first run installs Node 24 and n8n into ~/.cache/n8n-nodes-jetstream (a few minutes).
 */
const { mkdtempSync, rmSync, readdirSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');

const { ensureRuntime } = require('../../scripts/lib/runtime');
const { startNats, freePort } = require('../../scripts/lib/natsLocal');
const { installPackage, N8n } = require('../../scripts/lib/n8nHost');
const { ackLaterWorkflow, consumeWorkflow, publishWorkflow, slowWorkflow } = require('./workflows');

const results = [];
const pause = (ms) => new Promise((r) => setTimeout(r, ms));

async function eventually(check, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await pause(250);
	}
}

function expect(condition, message) {
	if (!condition) throw new Error(message);
}

async function step(name, fn) {
	const started = Date.now();
	try {
		await fn();
		results.push({ name, ok: true, ms: Date.now() - started });
		console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
	} catch (error) {
		results.push({ name, ok: false, error });
		console.log(`  ✕ ${name}\n    ${String(error.stack ?? error).split('\n').slice(0, 4).join('\n    ')}`);
	}
}

async function successfulExecutions(n8n, workflowId) {
	const page = await n8n.api('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=250`);
	return page.data.filter((e) => e.status === 'success');
}

/** An example workflow from examples/, its NATS credential pointed at the e2e one, ready for the public API. */
function example(file, credId) {
	const wf = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8'));
	for (const n of wf.nodes) if (n.credentials?.natsApi) n.credentials.natsApi = { id: credId, name: 'NATS e2e' };
	return { name: wf.name, nodes: wf.nodes, connections: wf.connections, settings: wf.settings ?? {} };
}

/** Each message's successful executions, by the key in its payload. */
function runsPerOrder(executions) {
	const runs = new Map();
	for (const e of executions) {
		const orderId = e.data?.resultData?.runData?.['JetStream Trigger']?.[0]?.data?.main?.[0]?.[0]?.json?.payload?.orderId;
		if (orderId !== undefined) runs.set(orderId, (runs.get(orderId) ?? 0) + 1);
	}
	return runs;
}

async function publishOrders(js, subject, prefix, count) {
	for (let i = 1; i <= count; i++) await js.publish(subject, JSON.stringify({ orderId: `${prefix}-${i}` }));
}

const ackFloor = async (jsm, stream, durable) => (await jsm.consumers.info(stream, durable).catch(() => undefined))?.ack_floor.stream_seq ?? 0;

function triggeredSequences(executions) {
	return executions.map((e) => e.data?.resultData?.runData?.['JetStream Trigger']?.[0]?.data?.main?.[0]?.[0]?.json?.streamSequence).filter((s) => s !== undefined);
}

async function main() {
	const started = Date.now();
	const runtime = ensureRuntime();
	const work = mkdtempSync(join(tmpdir(), 'n8n-jetstream-e2e-'));
	const nats = await startNats({ dir: join(work, 'nats') });
	installPackage(join(work, 'n8n'));
	const n8n = new N8n(runtime, join(work, 'n8n'), await freePort());
	const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	let credId;
	try {
		const t0 = Date.now();
		await n8n.start();
		console.log(`n8n ${runtime.n8n.dir.split('-').pop()} ready in ${Date.now() - t0} ms`);
		await n8n.signIn();
		await jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });

		await step('n8n loads the three nodes and the credential', async () => {
			const res = await fetch(`${n8n.base}/types/nodes.json`, { headers: { cookie: n8n.cookie } });
			const types = (await res.json()).map((t) => t.name);
			expect(types.includes('n8n-nodes-jetstream.jetStream'), 'jetStream node missing');
			expect(types.includes('n8n-nodes-jetstream.jetStreamTrigger'), 'jetStreamTrigger node missing');
			expect(types.includes('n8n-nodes-jetstream.natsRequestTrigger'), 'natsRequestTrigger node missing');
			const created = await n8n.api('POST', '/credentials', { name: 'NATS e2e', type: 'natsApi', data: { servers: nats.url, connectionName: 'n8n-e2e', authType: 'none', tls: false } });
			credId = created.id;
		});

		await step('the credential test succeeds, and fails for a wrong port saying why', async () => {
			const test = (servers) => n8n.rest('POST', '/credentials/test', { credentials: { id: credId, name: 'NATS e2e', type: 'natsApi', data: { servers, authType: 'none', tls: false } } });
			const good = await test(nats.url);
			expect(good.data.status === 'OK', `expected OK, got ${JSON.stringify(good.data)}`);
			const port = await freePort();
			const bad = await test(`nats://127.0.0.1:${port}`);
			expect(bad.data.status === 'Error' && /127\.0\.0\.1:\d+/.test(bad.data.message), `expected a clear error, got ${JSON.stringify(bad.data)}`);
		});

		await step('publish with idempotency keys stores each order once, also when the run is repeated', async () => {
			const wf = await n8n.api('POST', '/workflows', publishWorkflow(credId, 'e2e-publish', 'orders.created'));
			await n8n.api('POST', `/workflows/${wf.id}/activate`);
			const post = () => fetch(`${n8n.base}/webhook/e2e-publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orders: [{ orderId: 'A-1' }, { orderId: 'A-2' }, { orderId: 'A-3' }] }) });
			// Activation registers the webhook asynchronously in some n8n versions: wait until it answers.
			const call = async () => {
				let res;
				await eventually(async () => (res = await post()).status !== 404, 15_000, 'the webhook to be registered');
				expect(res.ok, `webhook answered ${res.status}: ${await res.clone().text()}`);
				return await res.json();
			};
			const first = await call();
			const second = await call();
			expect(first.length === 3 && first.every((o) => o.duplicate === false), `first run: ${JSON.stringify(first)}`);
			expect(second.every((o) => o.duplicate === true), `second run: ${JSON.stringify(second)}`);
			const info = await jsm.streams.info('ORDERS');
			expect(info.state.messages === 3, `stream holds ${info.state.messages} messages`);
			await n8n.api('POST', `/workflows/${wf.id}/deactivate`);
		});

		let consumeId;
		await step('trigger: good messages are acknowledged once, failing ones retried then dead-lettered', async () => {
			await jsm.streams.add({ name: 'WORK', subjects: ['work.>'] });
			const wf = await n8n.api('POST', '/workflows', consumeWorkflow(credId, 'WORK', 'workers'));
			consumeId = wf.id;
			await n8n.api('POST', `/workflows/${wf.id}/activate`);
			for (const [orderId, fail] of [['W-1', false], ['W-2', true], ['W-3', false], ['W-4', true], ['W-5', false]]) {
				await js.publish('work.orders', JSON.stringify({ orderId, fail }));
			}
			await eventually(async () => ((await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0) === 2, 60_000, 'two dead letters');
			const dead = [await jsm.streams.getMessage('DLQ', { seq: 1 }), await jsm.streams.getMessage('DLQ', { seq: 2 })];
			expect(dead.every((m) => m.header.get('X-Dlq-Reason') === 'max-deliveries' && m.header.get('X-Dlq-Failed-Node') === 'Work'), 'dead letters carry the reason and the failing node');
			const seqs = await eventually(async () => {
				const s = triggeredSequences(await successfulExecutions(n8n, wf.id));
				return s.length >= 3 ? s : undefined;
			}, 30_000, 'three successful executions');
			expect(JSON.stringify([...seqs].sort()) === JSON.stringify([1, 3, 5]), `successful sequences ${seqs}`);
			const info = await jsm.consumers.info('WORK', 'workers');
			expect(info.num_pending === 0 && info.num_ack_pending === 0, `consumer still has work: ${JSON.stringify(info.ack_floor)}`);
		});

		await step('trigger keeps consuming after nats-server restarts', async () => {
			await nats.restart();
			await eventually(() => !nc.isClosed() && nc.info, 10_000, 'test connection back');
			await eventually(async () => js.publish('work.orders', JSON.stringify({ orderId: 'R-1' })).then(() => true, () => false), 20_000, 'publishing again');
			await eventually(async () => triggeredSequences(await successfulExecutions(n8n, consumeId)).includes(6), 30_000, 'message 6 processed');
		});

		await step('after n8n restarts, the workflow is still active, unacked messages arrive and acked ones do not repeat', async () => {
			await n8n.stop();
			await js.publish('work.orders', JSON.stringify({ orderId: 'N-1' }));
			await js.publish('work.orders', JSON.stringify({ orderId: 'N-2' }));
			await n8n.start();
			await n8n.signIn();
			const seqs = await eventually(async () => {
				const s = triggeredSequences(await successfulExecutions(n8n, consumeId));
				return s.includes(7) && s.includes(8) ? s : undefined;
			}, 60_000, 'messages 7 and 8 processed after the restart');
			expect(new Set(seqs).size === seqs.length, `a message was processed twice: ${seqs}`);
		});

		await step('acknowledge later in the workflow with the JetStream node', async () => {
			await jsm.streams.add({ name: 'LATER', subjects: ['later.>'] });
			const wf = await n8n.api('POST', '/workflows', ackLaterWorkflow(credId, 'LATER', 'later'));
			await n8n.api('POST', `/workflows/${wf.id}/activate`);
			await js.publish('later.x', JSON.stringify({ n: 1 }));
			await eventually(async () => (await jsm.consumers.info('LATER', 'later').catch(() => undefined))?.ack_floor.stream_seq === 1, 30_000, 'acknowledged by the Acknowledge node');
			await n8n.api('POST', `/workflows/${wf.id}/deactivate`);
		});

		await step('a slow workflow behind a backlog runs every message exactly once', async () => {
			// 24 messages, 3 s executions, 4 at a time, 5 s ack wait: most wait longer than the ack wait.
			await jsm.streams.add({ name: 'SLOW', subjects: ['slow.>'] });
			await publishOrders(js, 'slow.orders', 'S', 24);
			const wf = await n8n.api('POST', '/workflows', slowWorkflow(credId, 'SLOW', 'slow', { seconds: 3, parallel: 4, ackWaitSeconds: 5 }));
			await n8n.api('POST', `/workflows/${wf.id}/activate`);
			await eventually(async () => (await ackFloor(jsm, 'SLOW', 'slow')) === 24, 120_000, 'all 24 acknowledged');
			const runs = runsPerOrder(await successfulExecutions(n8n, wf.id));
			const twice = [...runs].filter(([, n]) => n > 1);
			const info = await jsm.consumers.info('SLOW', 'slow');
			console.log(`    slow backlog: ${runs.size} orders, ${[...runs.values()].reduce((a, b) => a + b, 0)} successful executions, ${info.delivered.consumer_seq} deliveries`);
			expect(runs.size === 24 && twice.length === 0, `orders run twice: ${JSON.stringify(twice)}; orders seen ${runs.size}`);
			expect(info.delivered.consumer_seq === 24, `${info.delivered.consumer_seq - 24} messages were delivered a second time`);
			await n8n.api('POST', `/workflows/${wf.id}/deactivate`);
		});

		await step('a graceful n8n restart mid-stream (Skip Duplicates on) resumes within 30 s and runs no key twice', async () => {
			await jsm.streams.add({ name: 'RESUME', subjects: ['resume.>'] });
			await publishOrders(js, 'resume.orders', 'R', 60);
			const wf = await n8n.api('POST', '/workflows', slowWorkflow(credId, 'RESUME', 'resume', { seconds: 1, parallel: 4, ackWaitSeconds: 10, idempotency: true }));
			await n8n.api('POST', `/workflows/${wf.id}/activate`);
			await eventually(async () => (await ackFloor(jsm, 'RESUME', 'resume')) >= 12, 60_000, 'a fifth of the messages done');
			const stopping = Date.now();
			await n8n.stop();
			const stoppedInMs = Date.now() - stopping;
			await n8n.start();
			await n8n.signIn();
			const ready = Date.now();
			const floorAtStart = await ackFloor(jsm, 'RESUME', 'resume');
			await eventually(async () => (await ackFloor(jsm, 'RESUME', 'resume')) > floorAtStart, 30_000, 'consumption to resume within 30 s');
			const resumedInMs = Date.now() - ready;
			await eventually(async () => (await ackFloor(jsm, 'RESUME', 'resume')) === 60, 120_000, 'all 60 acknowledged');
			const runs = runsPerOrder(await successfulExecutions(n8n, wf.id));
			const twice = [...runs].filter(([, n]) => n > 1);
			console.log(`    graceful restart: n8n stopped in ${stoppedInMs} ms, the trigger resumed ${resumedInMs} ms after n8n was ready; ${runs.size} orders done, ${twice.length} twice`);
			expect(twice.length === 0, `orders run twice: ${JSON.stringify(twice)}`);
			expect(runs.size === 60, `${60 - runs.size} orders never ran`);
			await n8n.api('POST', `/workflows/${wf.id}/deactivate`);
		});

		await step('request/reply between two workflows (the two request/reply examples)', async () => {
			const service = await n8n.api('POST', '/workflows', example('pricing-service.json', credId));
			const asker = await n8n.api('POST', '/workflows', example('request-reply.json', credId));
			await n8n.api('POST', `/workflows/${service.id}/activate`);
			await n8n.api('POST', `/workflows/${asker.id}/activate`);
			const ask = (body) => fetch(`${n8n.base}/webhook/quote`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
			let res;
			await eventually(async () => (res = await ask({ sku: 'A-1', qty: 2 })).status !== 404, 15_000, 'the webhook to be registered');
			const answer = await res.json();
			expect(res.ok && answer.body?.sku === 'A-1' && answer.body?.price === 19, `reply: ${res.status} ${JSON.stringify(answer)}`);
			// A request the service cannot answer fails the asking execution with the service's reason.
			const failed = await ask({ qty: 1 });
			expect(!failed.ok, `a request without sku answered ${failed.status}`);
			const reason = await eventually(async () => {
				const page = await n8n.api('GET', `/executions?workflowId=${asker.id}&status=error&includeData=true&limit=5`);
				return page.data.map((e) => e.data?.resultData?.error?.message).find((m) => m);
			}, 15_000, 'the failed asking execution');
			expect(/replied with an error \(code 500\): .*The request needs a sku/.test(reason), `asking execution failed with: ${reason}`);
			await n8n.api('POST', `/workflows/${asker.id}/deactivate`);
			await n8n.api('POST', `/workflows/${service.id}/deactivate`);
		});

		await step('every example workflow imports and activates (its trigger starts for real)', async () => {
			const dir = join(__dirname, '..', '..', 'examples');
			const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
			expect(files.length > 0, 'no examples found');
			const refused = [];
			for (const file of files) {
				const created = await n8n.api('POST', '/workflows', example(file, credId));
				expect(created.id, `${file} was not imported`);
				// Activation starts its trigger for real (consumer created or bound, schedule set): it runs.
				const activated = await n8n.api('POST', `/workflows/${created.id}/activate`).then(() => true, (error) => refused.push(`${file}: ${error.message}`));
				if (activated === true) await n8n.api('POST', `/workflows/${created.id}/deactivate`);
			}
			expect(refused.length === 0, `examples that would not activate:\n${refused.join('\n')}`);
		});
	} finally {
		await nc.close().catch(() => undefined);
		await n8n.stop();
		await nats.stop();
		if (results.some((r) => !r.ok)) console.log(`n8n log (tail):\n${n8n.log.slice(-2500)}`);
		rmSync(work, { recursive: true, force: true });
	}
	const failed = results.filter((r) => !r.ok);
	console.log(`\ne2e: ${results.length - failed.length} passed, ${failed.length} failed in ${Math.round((Date.now() - started) / 1000)} s`);
	process.exit(failed.length ? 1 : 0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
