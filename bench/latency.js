'use strict';
/** Latency added by the trigger: publish → emit at 1 000 msg/s, against publish → raw consume(). */
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const h = require('./lib/harness');

async function paced(js, subject, count, perSecond) {
	const interval = 1000 / perSecond;
	const start = performance.now();
	for (let i = 0; i < count; i++) {
		const due = start + i * interval;
		const wait = due - performance.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		js.publish(subject, JSON.stringify({ t: performance.now() + performance.timeOrigin }));
	}
}

module.exports = async function latencyBench({ quick }) {
	h.ensureBuilt();
	const { JetStreamTrigger } = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	const count = quick ? 1_000 : 5_000;
	await jsm.streams.add({ name: 'LAT', subjects: ['lat.>'], storage: 'memory' });
	const now = () => performance.now() + performance.timeOrigin;
	try {
		await jsm.consumers.add('LAT', { durable_name: 'raw', ack_policy: AckPolicy.Explicit, filter_subject: 'lat.raw' });
		const rawLat = [];
		const consumer = await js.consumers.get('LAT', 'raw');
		const messages = await consumer.consume({ max_messages: 64 });
		const rawDone = (async () => {
			for await (const m of messages) {
				rawLat.push(now() - JSON.parse(new TextDecoder().decode(m.data)).t);
				m.ack();
				if (rawLat.length === count) break;
			}
		})();
		await paced(js, 'lat.raw', count, 1000);
		await rawDone;

		const ours = [];
		const params = { stream: 'LAT', consumerMode: 'createOrUpdate', durableName: 'node', filterSubjects: 'lat.node', deliverPolicy: 'all', consumerOptions: { ackWaitSeconds: 30, maxDeliver: 5, maxAckPending: 1000 }, ackMode: 'executionSucceeds', deadLetter: false, options: {} };
		let done;
		const finished = new Promise((r) => (done = r));
		const ctx = h.triggerContext(params, { servers: server.url, authType: 'none' }, (items) => {
			for (const item of items) ours.push(now() - item.json.payload.t);
			if (ours.length >= count) done();
		});
		const response = await new JetStreamTrigger().trigger.call(ctx);
		await paced(js, 'lat.node', count, 1000);
		await finished;
		await response.closeFunction();
		const ms = (x) => `${x.toFixed(2)} ms`;
		const p = (xs, q) => h.percentile(xs, q);
		// Below zero when the raw run drew the slower tail: the difference is noise, not a gain.
		const added = (d) => `${d < 0 ? '−' : '+'}${ms(Math.abs(d))}`;
		h.table(`Latency publish → workflow start at 1 000 msg/s (${count} messages)`, [
			{ name: 'p50', ours: ms(p(ours, 50)), raw: ms(p(rawLat, 50)), ratio: added(p(ours, 50) - p(rawLat, 50)) },
			{ name: 'p99 (target: < 1 ms added)', ours: ms(p(ours, 99)), raw: ms(p(rawLat, 99)), ratio: added(p(ours, 99) - p(rawLat, 99)) },
		]);
	} finally {
		await nc.close();
		await server.stop();
	}
};
