'use strict';
/**
 * Publish: the JetStream node publishing N items in one execution, against raw NATS.js publishing the
 * same messages with a sliding window of 256 acknowledgements, and awaiting each acknowledgement.
 */
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');
const h = require('./lib/harness');

// Both raw variants serialize each item as they send it, as the node does: all three start from the same items.
async function rawWindow(js, subject, items, window) {
	const inFlight = new Set();
	for (const item of items) {
		if (inFlight.size >= window) await Promise.race(inFlight);
		const done = js.publish(subject, JSON.stringify(item.json)).then(() => inFlight.delete(done));
		inFlight.add(done);
	}
	await Promise.all(inFlight);
}

async function rawEach(js, subject, items) {
	for (const item of items) await js.publish(subject, JSON.stringify(item.json));
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
	const count = quick ? 2_000 : 10_000;
	const runs = quick ? 3 : 9;
	const rows = [];
	try {
		for (const size of [128, 1024]) {
			const body = 'x'.repeat(size - 12);
			const items = Array.from({ length: count }, (_, n) => ({ json: { n, body } }));
			const timed = (fn) => async () => {
				await jsm.streams.purge('BENCH');
				const t = process.hrtime.bigint();
				await fn();
				return count / (Number(process.hrtime.bigint() - t) / 1e9);
			};
			const node = new JetStream();
			const [ours, window, each] = await h.medianInTurns(runs, [
				timed(async () => {
					const ctx = h.executeContext({ resource: 'message', operation: 'publish', subject: 'bench.node', payloadSource: 'json', publishOptions: { generateCorrelationId: false } }, items, { servers: server.url, authType: 'none' });
					const [out] = await node.execute.call(ctx);
					if (out.length !== count) throw new Error(`published ${out.length} of ${count}`);
				}),
				timed(() => rawWindow(js, 'bench.raw', items, 256)),
				timed(() => rawEach(js, 'bench.each', items)),
			]);
			rows.push({ name: `${size} B, node vs raw window 256 (target ≥ 0.8×)`, ours: `${h.fmt(ours)} msg/s`, raw: `${h.fmt(window)} msg/s`, ratio: `${(ours / window).toFixed(2)}×` });
			rows.push({ name: `${size} B, node vs raw await-each`, ours: `${h.fmt(ours)} msg/s`, raw: `${h.fmt(each)} msg/s`, ratio: `${(ours / each).toFixed(2)}×` });
		}
		h.table(`Publish ${count} items in one execution (median of ${runs})`, rows);
	} finally {
		await connectionPool.closeAll();
		await nc.close();
		await server.stop();
	}
};
