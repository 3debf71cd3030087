'use strict';
/**
 * Latency added by the trigger: publish → emit at 1 000 msg/s, against publish → raw consume(). Several
 * samples of each, in turns and alternating which goes first; medians of their p50/p99 with the spread.
 */
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const h = require('./lib/harness');

const now = () => performance.now() + performance.timeOrigin;

async function paced(js, subject, count, perSecond) {
	const interval = 1000 / perSecond;
	const start = performance.now();
	for (let i = 0; i < count; i++) {
		const due = start + i * interval;
		const wait = due - performance.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		js.publish(subject, JSON.stringify({ t: now() }));
	}
}

/** One sample of the raw client: its own consumer on its own subject, consume() of 64, ack each. */
async function rawSample(js, jsm, subject, count) {
	const durable = subject.replace(/\./g, '_');
	await jsm.consumers.add('LAT', { durable_name: durable, ack_policy: AckPolicy.Explicit, filter_subject: subject });
	const latencies = [];
	const messages = await (await js.consumers.get('LAT', durable)).consume({ max_messages: 64 });
	const done = (async () => {
		for await (const m of messages) {
			latencies.push(now() - JSON.parse(new TextDecoder().decode(m.data)).t);
			m.ack();
			if (latencies.length === count) break;
		}
	})();
	await paced(js, subject, count, 1000);
	await done;
	return latencies;
}

/** One sample of the trigger with its default options, on a consumer of its own. */
async function nodeSample(JetStreamTrigger, js, url, subject, count) {
	const latencies = [];
	const params = { stream: 'LAT', consumerMode: 'createOrUpdate', durableName: subject.replace(/\./g, '_'), filterSubjects: subject, deliverPolicy: 'all', consumerOptions: { ackWaitSeconds: 30, maxDeliver: 5, maxAckPending: 1000 }, ackMode: 'executionSucceeds', deadLetter: false, options: {} };
	let finish;
	const finished = new Promise((r) => (finish = r));
	const ctx = h.triggerContext(params, { servers: url, authType: 'none' }, (items) => {
		for (const item of items) latencies.push(now() - item.json.payload.t);
		if (latencies.length >= count) finish();
	});
	const response = await new JetStreamTrigger().trigger.call(ctx);
	await paced(js, subject, count, 1000);
	await finished;
	await response.closeFunction();
	return latencies;
}

module.exports = async function latencyBench({ quick }) {
	h.ensureBuilt();
	const { JetStreamTrigger } = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	const count = quick ? 500 : 2_000;
	const rounds = quick ? 2 : 7;
	await jsm.streams.add({ name: 'LAT', subjects: ['lat.>'], storage: 'memory' });
	try {
		const ours = { p50: [], p99: [] };
		const raw = { p50: [], p99: [] };
		const keep = (into, xs) => {
			into.p50.push(h.percentile(xs, 50));
			into.p99.push(h.percentile(xs, 99));
		};
		for (let r = 0; r < rounds; r++) {
			const takeRaw = async () => keep(raw, await rawSample(js, jsm, `lat.raw${r}`, count));
			const takeOurs = async () => keep(ours, await nodeSample(JetStreamTrigger, js, server.url, `lat.node${r}`, count));
			// Alternating which goes first, so neither always runs on the warmer (or busier) machine.
			if (r % 2 === 0) {
				await takeRaw();
				await takeOurs();
			} else {
				await takeOurs();
				await takeRaw();
			}
		}
		const ms = (x) => `${x.toFixed(2)} ms`;
		const spread = (xs) => `${ms(h.median(xs))} (${ms(Math.min(...xs))}–${ms(Math.max(...xs))})`;
		// Below zero when the raw samples drew the slower tail: the difference is noise, not a gain.
		const added = (d) => `${d < 0 ? '−' : '+'}${ms(Math.abs(d))}`;
		const diffs = (q) => ours[q].map((x, i) => x - raw[q][i]);
		const addedCell = (q) => `${added(h.median(ours[q]) - h.median(raw[q]))} (per round ${added(Math.min(...diffs(q)))} to ${added(Math.max(...diffs(q)))})`;
		h.table(`Latency publish → workflow start at 1 000 msg/s (${rounds} samples of ${count} messages each, in turns; median of the samples' percentiles, min–max)`, [
			{ name: 'p50', ours: spread(ours.p50), raw: spread(raw.p50), ratio: addedCell('p50') },
			{ name: 'p99 (target: < 1 ms added)', ours: spread(ours.p99), raw: spread(raw.p99), ratio: addedCell('p99') },
		]);
	} finally {
		await nc.close();
		await server.stop();
	}
};
