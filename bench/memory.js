'use strict';
/** Memory while a large backlog drains through the trigger with the default in-flight cap. */
const { connect } = require('@nats-io/transport-node');
const { execFile } = require('node:child_process');
const { join } = require('node:path');
const { jetstreamManager } = require('@nats-io/jetstream');
const h = require('./lib/harness');

module.exports = async function memoryBench({ quick }) {
	h.ensureBuilt();
	const { JetStreamTrigger } = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const backlog = quick ? 100_000 : 1_000_000;
	try {
		await jsm.streams.add({ name: 'MEM', subjects: ['mem.>'], storage: 'file' });
		const body = JSON.stringify({ orderId: 'x', pad: 'y'.repeat(90) });
		// Filled by another process: publishing a million messages here would grow this heap first and
		// hide (or fake) the growth the drain itself causes.
		await new Promise((resolve, reject) => {
			execFile(process.execPath, [join(__dirname, 'lib', 'fill.js'), server.url, 'mem.x', String(backlog), body], (error) => (error ? reject(error) : resolve()));
		});
		global.gc?.();
		const baseline = process.memoryUsage().rss;
		const heapBefore = process.memoryUsage().heapUsed;
		let peak = baseline;
		let n = 0;
		let done;
		const finished = new Promise((r) => (done = r));
		const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
		const params = { stream: 'MEM', consumerMode: 'createOrUpdate', durableName: 'mem', deliverPolicy: 'all', consumerOptions: { ackWaitSeconds: 30, maxDeliver: 5, maxAckPending: 1000 }, ackMode: 'executionSucceeds', deadLetter: false, options: {} };
		const ctx = h.triggerContext(params, { servers: server.url, authType: 'none' }, (items) => {
			n += items.length;
			if (n >= backlog) done();
		});
		const started = Date.now();
		const response = await new JetStreamTrigger().trigger.call(ctx);
		await finished;
		await response.closeFunction();
		clearInterval(sampler);
		global.gc?.();
		const heapAfter = process.memoryUsage().heapUsed;
		const mb = (b) => `${(b / 1024 / 1024).toFixed(1)} MB`;
		h.table(`Memory while ${backlog.toLocaleString('en-US')} backlog messages drain (default 5 in flight), ${Math.round(backlog / ((Date.now() - started) / 1000))} msg/s`, [
			{ name: 'RSS growth (target < 50 MB)', ours: mb(peak - baseline), raw: '—', ratio: `baseline ${mb(baseline)}, peak ${mb(peak)}` },
			{ name: 'heap still used after the drain and a full GC (retained)', ours: global.gc ? mb(heapAfter - heapBefore) : 'run with node --expose-gc', raw: '—', ratio: '' },
		]);
	} finally {
		await nc.close();
		await server.stop();
	}
};
