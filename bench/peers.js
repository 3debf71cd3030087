'use strict';
/**
 * `npm run bench:peers` — the built-in peer in real n8n, same workflow, same run: one n8n 2.41.1
 * (regular mode) runs the same workflow with (a) this package's JetStream Trigger, (b) the same with
 * Skip Duplicates by Key, (c) n8n's RabbitMQ Trigger on a local RabbitMQ, each on a fresh backlog,
 * in turn. A Code node fails every time for 10 % of the messages (poison); n8n is restarted once
 * (SIGTERM, start again) when half the good messages are done. Counted from outside: the workflow
 * posts each attempt and each success to a collector in this process; n8n's execution list is the
 * cross-check; dead letters are read from the dead-letter stream.
 *
 * Options: --messages N (5000), --bound S (longest run per contender, 1500 s), --grace S (after the last good
 * message, the longest wait for the poison to be dead-lettered, 150 s), --stall S (no good message for this
 * long after the restart ends the run, 120 s), --only a,c,b (the order they run in).
 * Not part of npm test: it takes minutes and installs rabbitmq-server with apt-get when missing.
 */
const { spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');

const { ensureRuntime, N8N_VERSION } = require('../scripts/lib/runtime');
const { startNats, freePort } = require('../scripts/lib/natsLocal');
const { installPackage, N8n } = require('../scripts/lib/n8nHost');
const { startRabbit } = require('./lib/rabbitLocal');
const { startCollector, sampleRss } = require('./lib/observe');
const { contenders, isPoison, PARALLEL } = require('./lib/peerContenders');

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv) {
	const value = (name, fallback) => {
		const i = argv.indexOf(`--${name}`);
		return i >= 0 ? argv[i + 1] : fallback;
	};
	return { messages: Number(value('messages', 5000)), bound: Number(value('bound', 1500)), grace: Number(value('grace', 150)), stall: Number(value('stall', 120)), only: value('only', 'a,c,b').split(',') };
}

/** Counts of n8n's own execution list for a workflow, by status, the failed ones by the node they stopped at (the cross-check). */
async function executionCounts(n8n, workflowId) {
	const counts = { success: 0, error: 0, errorAt: {} };
	for (const status of ['success', 'error']) {
		let cursor;
		do {
			const data = status === 'error' ? 'true' : 'false';
			const page = await n8n.api('GET', `/executions?workflowId=${workflowId}&status=${status}&includeData=${data}&limit=250${cursor ? `&cursor=${cursor}` : ''}`);
			counts[status] += page.data.length;
			for (const e of status === 'error' ? page.data : []) {
				const at = e.data?.resultData?.lastNodeExecuted ?? 'no node';
				counts.errorAt[at] = (counts.errorAt[at] ?? 0) + 1;
			}
			cursor = page.nextCursor;
		} while (cursor);
	}
	return counts;
}

/** Restarts n8n as an operator would (SIGTERM, wait for the exit, start again); what it logged while stopping. */
async function restart(s, run, done) {
	const at = Date.now();
	process.stdout.write(`  restarting n8n at ${done} good messages done (${Math.round((at - run.started) / 1000)} s)\n`);
	const logFrom = s.n8n.log.length;
	await s.n8n.stop('SIGTERM');
	const stopped = Date.now();
	const stopLog = s.n8n.log.slice(logFrom).slice(-1500);
	await s.n8n.start();
	run.restart = { atSeconds: (at - run.started) / 1000, stopMs: stopped - at, downMs: Date.now() - at, goodDoneBefore: done, stopLog };
}

/**
 * Until all good messages succeeded and the poison is settled; or `grace` s after the last good message
 * (a contender whose poison never settles); or no good message for `stall` s after the restart; or
 * `bound` s. n8n is restarted once: at half the good messages, or after stall/2 s without progress.
 */
async function drive(s, contender, good, poisonCount, { bound, grace, stall }) {
	const started = Date.now();
	const run = { started, restart: undefined, doneAt: undefined, end: undefined };
	const goodDone = () => [...s.collector.successes.keys()].filter((n) => !isPoison(n)).length;
	let last = { done: 0, at: started };
	while (!run.end) {
		await pause(250);
		const done = goodDone();
		if (done > last.done) last = { done, at: Date.now() };
		const still = Date.now() - Math.max(last.at, run.restart ? started + run.restart.atSeconds * 1000 + run.restart.downMs : 0);
		if (!run.restart && (done >= good / 2 || still > (stall * 1000) / 2)) await restart(s, run, done);
		if (done === good && run.doneAt === undefined) run.doneAt = s.collector.times.lastSuccess;
		if (run.doneAt !== undefined && (await contender.settled(s, poisonCount))) run.end = 'settled';
		else if (run.doneAt !== undefined && Date.now() - run.doneAt > grace * 1000) run.end = `${grace} s after the last good message`;
		else if (run.restart && done < good && still > stall * 1000) run.end = `no good message for ${stall} s (${done} of ${good} done)`;
		else if (Date.now() - started > bound * 1000) run.end = `the ${bound} s bound`;
	}
	run.ended = Date.now();
	return run;
}

/** The per-contender figures, each from its own observation. */
function figures(s, run, good, poisonCount, deadLettered) {
	const { attempts, successes } = s.collector;
	let lost = 0;
	let twice = 0;
	let successHits = 0;
	let poisonAttempts = 0;
	let poisonSeen = 0;
	let maxPoisonAttempts = 0;
	let goodRetried = 0;
	for (const [, hits] of successes) successHits += hits;
	for (let n = 1; n <= good + poisonCount; n++) {
		if (isPoison(n)) {
			const a = attempts.get(n) ?? 0;
			poisonAttempts += a;
			poisonSeen += a > 0 ? 1 : 0;
			maxPoisonAttempts = Math.max(maxPoisonAttempts, a);
			continue;
		}
		const hits = successes.get(n) ?? 0;
		// A good message that ran again (its execution failed for another reason, e.g. during the restart).
		if ((attempts.get(n) ?? 0) > 1) goodRetried++;
		if (hits === 0) lost++;
		if (hits > 1) twice++;
	}
	const poisonSucceeded = [...successes.keys()].filter(isPoison).length;
	const end = run.doneAt ?? run.ended;
	const seconds = (end - run.started) / 1000;
	return {
		lost,
		twice,
		goodRetried,
		successHits,
		seconds,
		rate: successHits / seconds,
		poisonAttempts,
		poisonSeen,
		retried: poisonAttempts - poisonSeen,
		maxPoisonAttempts,
		poisonSucceeded,
		deadLettered: new Set(deadLettered.filter(isPoison)).size,
		deadLetterCopies: deadLettered.length,
	};
}

async function runContender(s, contender, options) {
	const { messages } = options;
	const poisonCount = Math.floor(messages / 10);
	const good = messages - poisonCount;
	process.stdout.write(`\n${contender.label}: ${messages} messages (${poisonCount} poison)\n`);
	s.collector.reset();
	await contender.prepare(s, messages);
	await s.n8n.start();
	await s.n8n.signIn();
	const rss = sampleRss(() => s.n8n.proc?.pid);
	try {
		const wf = await s.n8n.api('POST', '/workflows', contender.workflow(s));
		await s.n8n.api('POST', `/workflows/${wf.id}/activate`);
		const run = await drive(s, contender, good, poisonCount, options);
		await s.n8n.api('POST', `/workflows/${wf.id}/deactivate`);
		rss.stop();
		await pause(2000); // executions that were running when the workflow was deactivated finish
		const n8nCounts = await executionCounts(s.n8n, wf.id);
		const result = { contender, run, n8nCounts, peak: { ...rss.peak }, waiting: await contender.waiting(s) };
		result.f = figures(s, run, good, poisonCount, await contender.deadLettered(s));
		process.stdout.write(`  ${JSON.stringify({ ...result.f, run, n8nCounts, peak: result.peak, waiting: result.waiting })}\n`);
		return result;
	} finally {
		rss.stop();
		await s.n8n.stop();
	}
}

function poisonCell(r) {
	const f = r.f;
	const dead = r.contender.key === 'c' ? 'none (nack requeues; no dead-letter configured by the trigger)' : `${f.deadLettered} dead-lettered`;
	return `${f.retried} retries of ${f.poisonSeen} seen (at most ${f.maxPoisonAttempts} attempts each) / ${dead}`;
}

function table(results, versions, options) {
	const lines = [
		`${options.messages} messages (10 % poison), parallel ${PARALLEL}, n8n restarted once (SIGTERM + start) at half the good messages (or after ${options.stall / 2} s without one). A run ends when every good message succeeded and every poison message was dead-lettered, or ${options.grace} s after the last good message, or after ${options.stall} s without a good message (after the restart), or at ${options.bound} s. Executions/s = successful executions recorded by the collector ÷ seconds from activation to the first success of the last good message (restart included).`,
		'',
		'| contender | executions/s | lost | processed twice | failed messages: retried / dead-lettered | peak RSS of n8n (+ children) |',
		'|---|---|---|---|---|---|',
	];
	for (const r of results) {
		const f = r.f;
		const time = r.run.doneAt ? `${f.seconds.toFixed(1)} s to the last good message` : `${f.seconds.toFixed(1)} s, not all done`;
		lines.push(`| ${r.contender.label} | ${f.rate.toFixed(1)} (${f.successHits} successful in ${time}) | ${f.lost}${r.run.doneAt ? '' : ` (${r.waiting})`} | ${f.twice} | ${poisonCell(r)} | ${r.peak.totalMiB.toFixed(0)} MiB (n8n ${r.peak.mainMiB.toFixed(0)} MiB, ${r.peak.processes} processes) |`);
	}
	lines.push('', 'Per contender (n8n execution list as the cross-check; restart = SIGTERM until exit, then start until ready):', '');
	for (const r of results) {
		const rs = r.run.restart;
		lines.push(`- ${r.contender.label}: n8n lists ${r.n8nCounts.success} successful and ${r.n8nCounts.error} failed executions (stopped at: ${Object.entries(r.n8nCounts.errorAt).map(([k, v]) => `${k} ${v}`).join(', ')}); the collector saw ${r.f.successHits} successes, ${r.f.poisonAttempts} poison attempts, ${r.f.goodRetried} good messages attempted more than once; poison that succeeded: ${r.f.poisonSucceeded}; restart at ${rs ? `${rs.atSeconds.toFixed(1)} s (${rs.goodDoneBefore} good done), n8n stopped in ${(rs.stopMs / 1000).toFixed(1)} s and was back in ${(rs.downMs / 1000).toFixed(1)} s` : 'never'}; run ${((r.run.ended - r.run.started) / 1000).toFixed(1)} s, ended by ${r.run.end}; at the end: ${r.waiting}; ${r.contender.limits}.`);
	}
	lines.push('', `Versions: n8n ${versions.n8n} (regular mode, SQLite), Node ${versions.node} (n8n) / ${process.version} (benchmark), nats-server ${versions.nats}, RabbitMQ ${versions.rabbit} (Debian ${versions.rabbitPackage}), Erlang/${versions.erlang}, amqplib ${versions.amqplib} (n8n's).`);
	return lines.join('\n');
}

async function main() {
	const options = parseArgs(process.argv.slice(2));
	const runtime = ensureRuntime();
	// Every execution stays listed for the cross-check; n8n's own log quiet (the collector counts).
	process.env.EXECUTIONS_DATA_PRUNE = 'false';
	process.env.N8N_LOG_LEVEL ||= 'warn';
	const work = mkdtempSync(join(tmpdir(), 'n8n-jetstream-peers-'));
	const cleanups = [];
	try {
		const nats = await startNats({ dir: join(work, 'nats') });
		cleanups.push(() => nats.stop());
		const rabbit = await startRabbit({ dir: join(work, 'rabbitmq'), n8nDir: runtime.n8n.dir });
		cleanups.push(() => rabbit.stop(), () => rabbit.conn.close().catch(() => undefined));
		const collector = await startCollector();
		cleanups.push(() => collector.close());
		const userFolder = join(work, 'n8n');
		installPackage(userFolder);
		const n8n = new N8n(runtime, userFolder, await freePort());
		cleanups.push(() => n8n.stop());
		const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1 });
		cleanups.push(() => nc.close());
		const s = { n8n, nats, rabbit, collector, nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
		await n8n.start();
		await n8n.signIn();
		s.natsCredId = (await n8n.api('POST', '/credentials', { name: 'NATS peers', type: 'jetStreamNatsApi', data: { servers: nats.url, authType: 'none', tls: false } })).id;
		s.rabbitCredId = (await n8n.api('POST', '/credentials', { name: 'RabbitMQ peers', type: 'rabbitmq', data: { hostname: '127.0.0.1', port: rabbit.port, username: 'guest', password: 'guest', vhost: '/', ssl: false } })).id;
		await n8n.stop(); // each contender starts it afresh, so each peak RSS is its own
		const results = [];
		for (const contender of contenders().filter((c) => options.only.includes(c.key))) results.push(await runContender(s, contender, options));
		const versions = {
			n8n: N8N_VERSION,
			node: spawnSync(runtime.node.bin, ['--version'], { encoding: 'utf8' }).stdout.trim(),
			nats: nats.version,
			rabbit: rabbit.version,
			rabbitPackage: rabbit.rabbitmqPackage,
			erlang: rabbit.erlang,
			amqplib: require(join(runtime.n8n.dir, 'node_modules', 'amqplib', 'package.json')).version,
		};
		process.stdout.write(`\n## Side by side in real n8n — ${new Date().toISOString()}\n\n${table(results, versions, options)}\n`);
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup();
		rmSync(work, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
