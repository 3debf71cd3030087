'use strict';
/**
 * The ceiling of this machine: natscli's `nats bench` (Go, v0.5.0) publishing to and consuming from a
 * memory stream on the same server as raw NATS.js and the nodes, in turns in one run, so the table
 * reads ceiling → raw JS → node. `npm run bench -- --only go`; natscli is built with Go when missing.
 */
const { execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const h = require('./lib/harness');
const { rawWindow, nodePublish, benchCredentials, itemsOf, timedOnBench } = require('./publish');
const { rawConsume, triggerConsume, fill } = require('./trigger');

// v0.5.0 on purpose (v0.5.1 is not used); its `bench js pub|consume` syntax is checked with --help.
const NATSCLI_VERSION = 'v0.5.0';
const NATSCLI_DIR = join(homedir(), '.cache', 'n8n-nodes-jetstream', `natscli-${NATSCLI_VERSION}`);

function natscli() {
	const bin = process.env.NATSCLI_BIN || join(NATSCLI_DIR, 'nats');
	if (!existsSync(bin)) {
		console.error(`Building natscli ${NATSCLI_VERSION} into ${NATSCLI_DIR} (go install)…`);
		execFileSync('go', ['install', `github.com/nats-io/natscli/nats@${NATSCLI_VERSION}`], { env: { ...process.env, GOBIN: NATSCLI_DIR }, stdio: 'inherit' });
	}
	return bin;
}

/** Runs `nats bench …` and returns the msgs/sec it reports. */
function goBench(bin, url, args) {
	const out = execFileSync(bin, ['-s', url, 'bench', ...args, '--no-progress'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
	const match = /stats: ([\d,]+) msgs\/sec/.exec(out);
	if (!match) throw new Error(`nats bench printed no rate:\n${out}`);
	return Number(match[1].replace(/,/g, ''));
}

module.exports = async function goCeiling({ quick }) {
	h.ensureBuilt();
	const bin = natscli();
	const { JetStream } = h.dist('nodes/JetStream/JetStream.node.js');
	const { JetStreamTrigger } = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js');
	const { connectionPool } = h.dist('nodes/shared/transport/index.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'], storage: 'memory' });
	// Go's stream, made like the others (memory, no limits), before any `nats bench` run: it uses it as it is.
	await jsm.streams.add({ name: 'benchstream', subjects: ['gobench.>'], storage: 'memory' });
	const credentials = benchCredentials(server.url);
	const count = quick ? 5_000 : 20_000;
	const runs = Number(process.env.BENCH_RUNS) || (quick ? 2 : 5);
	const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
	const rows = [];
	try {
		for (const size of [128, 1024]) {
			const items = itemsOf(count, size);
			const timed = timedOnBench(jsm, count);
			let round = 0;
			// Go publishes into its own memory stream (benchstream) and then consumes that backlog with a new
			// durable consumer, batch = its pull size; it reports its own rates.
			const goPub = (batch) => async () => goBench(bin, server.url, ['js', 'pub', 'async', 'gobench.x', '--purge', '--msgs', String(count), '--size', `${size}B`, '--batch', String(batch)]);
			const goConsume = async () => {
				goBench(bin, server.url, ['js', 'pub', 'async', 'gobench.x', '--purge', '--msgs', String(count), '--size', `${size}B`]);
				// A durable consumer like the other contenders' (explicit acks, 10 000 pending at most).
				const durable = `c${round++}`;
				await jsm.consumers.add('benchstream', { durable_name: durable, ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
				try {
					return goBench(bin, server.url, ['js', 'consume', '--consumer', durable, '--msgs', String(count), '--size', `${size}B`]);
				} finally {
					await jsm.consumers.delete('benchstream', durable);
				}
			};
			const [go500, go2000, raw256, raw1024, node] = await h.inTurns(runs, [
				goPub(500),
				goPub(2000),
				timed(() => rawWindow(js, 'bench.raw', items, 256)),
				timed(() => rawWindow(js, 'bench.raw', items, 1024)),
				timed(nodePublish(JetStream, credentials, 'bench.node', items, {})),
			]);
			const goBest = go500.median >= go2000.median ? ['async, batch 500', go500] : ['async, batch 2000', go2000];
			const rawBest = raw256.median >= raw1024.median ? ['window 256', raw256] : ['window 1024', raw1024];
			rows.push({ name: `${size} B publish: nats bench js pub ${goBest[0]}`, ceiling: h.rateCell(goBest[1]), raw: `${rawBest[0]}: ${h.rateCell(rawBest[1])}`, node: h.rateCell(node), shares: `${(rawBest[1].median / goBest[1].median).toFixed(2)}× / ${(node.median / goBest[1].median).toFixed(2)}×` });

			const onFreshBacklog = (fn) => async () => {
				const stream = `GC${size}_${round++}`;
				await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`], storage: 'memory' });
				await jsm.consumers.add(stream, { durable_name: 'd', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
				await fill(js, `${stream.toLowerCase()}.x`, count, size);
				try {
					return await fn(stream);
				} finally {
					await jsm.streams.delete(stream);
				}
			};
			const [goC, rawC, nodeC] = await h.inTurns(runs, [
				goConsume,
				onFreshBacklog((stream) => rawConsume(js, stream, 'd', count, 512)),
				onFreshBacklog((stream) => triggerConsume(JetStreamTrigger, credentials, stream, 'd', count, {}, jsm)),
			]);
			rows.push({ name: `${size} B consume + ack: nats bench js consume (batch 500)`, ceiling: h.rateCell(goC), raw: `consume() of 512: ${h.rateCell(rawC)}`, node: `trigger, default options: ${h.rateCell(nodeC)}`, shares: `${(rawC.median / goC.median).toFixed(2)}× / ${(nodeC.median / goC.median).toFixed(2)}×` });
		}
		console.log(`\n## Go ceiling: natscli ${version} \`nats bench\` vs raw NATS.js vs the nodes, ${count} messages, memory stream (median of ${runs} in turns, min–max)\n`);
		console.log('| case | Go ceiling | raw NATS.js | node | raw / node as a share of Go |');
		console.log('| --- | ---: | ---: | ---: | ---: |');
		for (const r of rows) console.log(`| ${r.name} | ${r.ceiling} | ${r.raw} | ${r.node} | ${r.shares} |`);
		console.log(`\n_load average at the end: ${require('node:os').loadavg().map((l) => l.toFixed(2)).join(', ')}_`);
	} finally {
		await connectionPool.closeAll();
		await nc.close();
		await server.stop();
	}
};
