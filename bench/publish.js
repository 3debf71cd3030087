'use strict';
/**
 * Publish: the JetStream node publishing N items in one execution — with its default options, without
 * correlation ids, and with Encrypt Payload — against raw NATS.js at its best (a counter-based window of
 * acknowledgements, several sizes, the best one the contender) and awaiting each acknowledgement.
 */
const { randomBytes } = require('node:crypto');
const { connect, headers: natsHeaders } = require('@nats-io/transport-node');
const { v7: uuidv7 } = require('uuid');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');
const h = require('./lib/harness');

const WINDOWS = [256, 1024, 4096];

/** Sends every item through `send`, keeping at most `window` unanswered: one pending count and one waiter. */
async function windowed(items, window, send) {
	let pending = 0;
	let waiter;
	let failure;
	const settled = () => {
		pending--;
		if (waiter) {
			const wake = waiter;
			waiter = undefined;
			wake();
		}
	};
	const failed = (error) => {
		failure = error;
		settled();
	};
	for (const item of items) {
		if (pending >= window) await new Promise((r) => (waiter = r));
		pending++;
		send(item).then(settled, failed);
	}
	while (pending > 0) await new Promise((r) => (waiter = r));
	if (failure) throw failure;
}

/**
 * Raw at its best: a counter-based window (no Promise.race over a set per message). Every item is
 * serialized as it is sent, as the node does: all contenders start from the same items.
 */
async function rawWindow(js, subject, items, window) {
	await windowed(items, window, (item) => js.publish(subject, JSON.stringify(item.json)));
}

/**
 * Not a contender: raw doing the node's default per-message work too — a new X-Correlation-Id (uuidv7)
 * header on every message, or that plus the node's own AES-256-GCM (`seal`) — to tell the cost of that
 * work from the node's own.
 */
async function rawWithHeaders(js, subject, items, window, seal) {
	await windowed(items, window, (item) => {
		const hs = natsHeaders();
		hs.set('X-Correlation-Id', uuidv7());
		let data = JSON.stringify(item.json);
		if (seal) {
			const sealed = seal.encryptPayload(subject, Buffer.from(data), seal.key);
			for (const [name, value] of Object.entries(sealed.headers)) hs.set(name, value);
			data = sealed.data;
		}
		return js.publish(subject, data, { headers: hs });
	});
}

async function rawEach(js, subject, items) {
	for (const item of items) await js.publish(subject, JSON.stringify(item.json));
}

/** A credential with one encryption key, as a user pastes it (the node encrypts only with Encrypt Payload on). */
function benchCredentials(url) {
	return { servers: url, authType: 'none', encryptionKeys: JSON.stringify([{ id: 'bench', key: randomBytes(32).toString('base64') }]) };
}

/** The node's Publish of `items` in one execution; `publishOptions` {} is what a new node has. */
function nodePublish(JetStream, credentials, subject, items, publishOptions) {
	const node = new JetStream();
	return async () => {
		const ctx = h.executeContext({ resource: 'message', operation: 'publish', subject, payloadSource: 'json', publishOptions }, items, credentials);
		const [out] = await node.execute.call(ctx);
		if (out.length !== items.length) throw new Error(`published ${out.length} of ${items.length}`);
	};
}

const itemsOf = (count, size) => {
	const body = 'x'.repeat(size - 12);
	return Array.from({ length: count }, (_, n) => ({ json: { n, body } }));
};

/**
 * A contender as a timed run: both clocks start after the purge of BENCH, with a connection already open (the
 * node's pooled one is opened in the untimed warm-up round), and stop when the last acknowledgement is in.
 */
function timedOnBench(jsm, count) {
	return (fn) => async () => {
		await jsm.streams.purge('BENCH');
		const t = process.hrtime.bigint();
		await fn();
		return count / (Number(process.hrtime.bigint() - t) / 1e9);
	};
}

module.exports = async function publishBench({ quick }) {
	h.ensureBuilt();
	const { JetStream } = h.dist('nodes/JetStream/JetStream.node.js');
	const { connectionPool } = h.dist('nodes/shared/transport/index.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	await jsm.streams.add({ name: 'BENCH', subjects: ['bench.>'], storage: 'memory' });
	const credentials = benchCredentials(server.url);
	const { encryptPayload } = h.dist('nodes/shared/payload/crypto.js');
	const { parseCredentials } = h.dist('nodes/shared/transport/credentials.js');
	const seal = { encryptPayload, key: parseCredentials(credentials).encryptionKeys[0] };
	const count = quick ? 2_000 : 10_000;
	const runs = Number(process.env.BENCH_RUNS) || (quick ? 3 : 9);
	const rows = [];
	try {
		for (const size of [128, 1024]) {
			const items = itemsOf(count, size);
			const timed = timedOnBench(jsm, count);
			const contenders = [
				['node, default options', nodePublish(JetStream, credentials, 'bench.node', items, {})],
				['node, no correlation ids', nodePublish(JetStream, credentials, 'bench.node', items, { generateCorrelationId: false })],
				['node, Encrypt Payload', nodePublish(JetStream, credentials, 'bench.node', items, { encrypt: true })],
				...WINDOWS.map((w) => [`raw window ${w}`, () => rawWindow(js, 'bench.raw', items, w)]),
				['raw await-each', () => rawEach(js, 'bench.each', items)],
				['raw window 256 + correlation header', () => rawWithHeaders(js, 'bench.raw', items, 256)],
				['raw window 256 + correlation header + encryption', () => rawWithHeaders(js, 'bench.raw', items, 256, seal)],
			];
			const results = await h.inTurns(runs, contenders.map(([, fn]) => timed(fn)));
			const [node, noCorr, encrypted, ...raws] = results;
			const rawSealed = raws.pop();
			const rawHeaders = raws.pop();
			const each = raws.pop();
			const best = raws.reduce((a, b) => (b.median > a.median ? b : a));
			const bestName = `raw window ${WINDOWS[raws.indexOf(best)]}`;
			const row = (name, ours, raw) => rows.push({ name: `${size} B, ${name}`, ours: h.rateCell(ours), raw: h.rateCell(raw), ratio: h.ratioCell(ours, raw) });
			row(`node (default options) vs ${bestName}, the best raw (target ≥ 0.8×)`, node, best);
			row(`node without correlation ids vs ${bestName}`, noCorr, best);
			row(`node with Encrypt Payload vs ${bestName}`, encrypted, best);
			row('node with Encrypt Payload vs node without (encryption overhead)', encrypted, node);
			for (let w = 0; w < WINDOWS.length; w++) if (raws[w] !== best) row(`node (default options) vs raw window ${WINDOWS[w]}`, node, raws[w]);
			row('node (default options) vs raw await-each', node, each);
			// Why: the same per-message work done by the raw client (window 256), not a contender for the targets.
			row('raw window 256 with a new X-Correlation-Id header per message vs raw window 256 without (what the header costs raw)', rawHeaders, raws[0]);
			row('node (default options) vs raw window 256 with the same header (the node\'s own cost)', node, rawHeaders);
			row('node with Encrypt Payload vs raw window 256 with the same header and the same AES-256-GCM', encrypted, rawSealed);
		}
		h.table(`Publish ${count} items in one execution (median of ${runs} in turns; min–max; ratio per round min–max)`, rows);
	} finally {
		await connectionPool.closeAll();
		await nc.close();
		await server.stop();
	}
};

module.exports.rawWindow = rawWindow;
module.exports.timedOnBench = timedOnBench;
module.exports.nodePublish = nodePublish;
module.exports.benchCredentials = benchCredentials;
module.exports.itemsOf = itemsOf;
