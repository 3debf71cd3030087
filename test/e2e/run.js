'use strict';
/**
 * End-to-end: a real n8n 2.x with this package installed as a community package, a real nats-server,
 * and only n8n's public interfaces (REST login, public API, webhooks). `npm run test:e2e`.
 *
 * Twice: in regular mode (one n8n process) every scenario; in queue mode (main + two workers + Redis,
 * sharing the database and the encryption key, the package in the shared user folder) the trigger
 * scenarios and those only queue mode has (a lost worker). E2E_MODES=regular (or queue) runs one;
 * E2E_ONLY=<regular expression> runs the scenarios whose names match it (while working on one).
 * The first run installs Node 24 and n8n into ~/.cache/n8n-nodes-jetstream (a few minutes).
 */
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');

const { ensureRuntime } = require('../../scripts/lib/runtime');
const { startNats, freePort } = require('../../scripts/lib/natsLocal');
const { startRedis } = require('../../scripts/lib/redisLocal');
const { installPackage, N8n, N8nWorker } = require('../../scripts/lib/n8nHost');
const { expect } = require('./lib');
const scenarios = require('./scenarios');

const results = [];

const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY, 'i') : undefined;

async function step(mode, scenario, stack) {
	if (only && !only.test(scenario.name)) return;
	const name = `[${mode}] ${scenario.name}`;
	const started = Date.now();
	try {
		await scenario.run(stack);
		results.push({ name, ok: true });
		console.log(`  ✓ ${name} (${Date.now() - started} ms)`);
	} catch (error) {
		results.push({ name, ok: false, error });
		console.log(`  ✕ ${name}\n    ${String(error.stack ?? error).split('\n').slice(0, 4).join('\n    ')}`);
	}
}

/** n8n (and in queue mode Redis and two workers) with the package installed, a nats-server, and a credential. */
async function withStack(mode, runtime, work, body) {
	const dir = join(work, mode);
	const nats = await startNats({ dir: join(dir, 'nats') });
	const redis = mode === 'queue' ? await startRedis() : undefined;
	const userFolder = join(dir, 'n8n');
	installPackage(userFolder);
	const n8n = new N8n(runtime, userFolder, await freePort(), { redisPort: redis?.port });
	const workers = redis ? ['a', 'b'].map((name) => new N8nWorker(runtime, userFolder, redis.port, name)) : [];
	const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
	const stack = { mode, n8n, workers, nats, nc, jsm: await jetstreamManager(nc), js: jetstream(nc) };
	try {
		const t0 = Date.now();
		await n8n.start();
		await n8n.signIn();
		// Workers start after main has migrated the database they share.
		await Promise.all(workers.map((w) => w.start()));
		console.log(`\n${mode} mode: n8n ${runtime.n8n.dir.split('-').pop()}${workers.length ? ` with ${workers.length} workers` : ''}, nats-server ${nats.version}, ready in ${Date.now() - t0} ms`);
		const res = await fetch(`${n8n.base}/types/nodes.json`, { headers: { cookie: n8n.cookie } });
		const types = (await res.json()).map((t) => t.name);
		for (const type of ['jetStream', 'jetStreamTrigger', 'jetStreamKvTrigger', 'jetStreamObjectStoreTrigger', 'natsRequestTrigger']) expect(types.includes(`n8n-nodes-jetstream.${type}`), `${type} node not loaded`);
		const created = await n8n.api('POST', '/credentials', { name: 'NATS e2e', type: 'jetStreamNatsApi', data: { servers: nats.url, connectionName: `n8n-e2e-${mode}`, authType: 'none', tls: false } });
		stack.credId = created.id;
		await body(stack);
	} finally {
		await nc.close().catch(() => undefined);
		await Promise.all(workers.map((w) => w.stop()));
		await n8n.stop();
		await redis?.stop();
		await nats.stop();
		if (results.some((r) => !r.ok)) {
			console.log(`n8n ${mode} log (tail):\n${n8n.log.slice(-2500)}`);
			for (const w of workers) console.log(`${w.label} log (tail):\n${w.log.slice(-1500)}`);
			console.log(`nats-server log since its last start (tail):\n${nats.log.slice(-2500)}`);
		}
	}
}

async function main() {
	const started = Date.now();
	const modes = (process.env.E2E_MODES || 'regular,queue').split(',').map((m) => m.trim());
	const runtime = ensureRuntime();
	const work = mkdtempSync(join(tmpdir(), 'n8n-jetstream-e2e-'));
	try {
		if (modes.includes('regular')) {
			await withStack('regular', runtime, work, async (s) => {
				for (const scenario of [...scenarios.general, ...scenarios.trigger]) await step('regular', scenario, s);
			});
		}
		if (modes.includes('queue')) {
			await withStack('queue', runtime, work, async (s) => {
				for (const scenario of [...scenarios.trigger, ...scenarios.queue]) await step('queue', scenario, s);
			});
		}
	} catch (error) {
		results.push({ name: 'setting up n8n', ok: false, error });
		console.log(`  ✕ setting up n8n: ${error.stack ?? error}`);
	} finally {
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
