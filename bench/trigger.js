'use strict';
/**
 * Trigger throughput: messages → JetStream Trigger (decode, guards, emit, wait for the execution,
 * ack) with executions that finish at once, against raw consume() + ack() on the same backlog.
 */
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const h = require('./lib/harness');

async function fill(js, subject, count, size) {
	const body = 'x'.repeat(size);
	const inFlight = new Set();
	for (let i = 0; i < count; i++) {
		if (inFlight.size >= 512) await Promise.race(inFlight);
		const done = js.publish(subject, JSON.stringify({ orderId: `o-${i}`, body })).then(() => inFlight.delete(done));
		inFlight.add(done);
	}
	await Promise.all(inFlight);
}

async function rawConsume(js, stream, durable, count) {
	const consumer = await js.consumers.get(stream, durable);
	const t = process.hrtime.bigint();
	const messages = await consumer.consume({ max_messages: 512 });
	let n = 0;
	for await (const m of messages) {
		m.ack();
		if (++n === count) break;
	}
	return count / (Number(process.hrtime.bigint() - t) / 1e9);
}

async function triggerConsume(JetStreamTrigger, url, stream, durable, count, extra) {
	let n = 0;
	let finish;
	const finished = new Promise((r) => (finish = r));
	const params = {
		stream, consumerMode: 'bind', durableName: durable, ackMode: 'executionSucceeds', deadLetter: false, ...extra.params,
		options: { ...extra.options },
	};
	const ctx = h.triggerContext(params, { servers: url, authType: 'none' }, (items) => {
		n += items.length;
		if (n >= count) finish();
	});
	// Timed from a ready consumer, like the raw client (its clock starts after consumers.get): the
	// trigger's activation (connect, consumer and feature checks, ~8 ms) is not consumption.
	const response = await new JetStreamTrigger().trigger.call(ctx);
	const t = process.hrtime.bigint();
	await finished;
	const rate = count / (Number(process.hrtime.bigint() - t) / 1e9);
	await response.closeFunction();
	return rate;
}

module.exports = async function triggerBench({ quick }) {
	h.ensureBuilt();
	const { JetStreamTrigger } = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	const count = quick ? 5_000 : 20_000;
	const runs = quick ? 3 : 9;
	const rows = [];
	// The node with its defaults (5 executions at once) first; then the settings a high-volume user picks.
	const cases = [
		['one message per execution, default options', {}],
		['one message per execution, 64 in parallel', { options: { parallelExecutions: 64 } }],
		['with idempotency check (payload key), 64 in parallel', { params: { idempotency: 'payloadField', idempotencyField: 'orderId' }, options: { parallelExecutions: 64 } }],
		['batches of 100, 4 in parallel', { options: { batchSize: 100, batchMaxWait: 0.05, parallelExecutions: 4 } }],
	];
	try {
		for (const size of [128, 1024]) {
			for (const [name, extra] of cases) {
				let round = 0;
				const onFreshBacklog = (fn) => async () => {
					const stream = `TB${size}_${round++}_${Math.random().toString(36).slice(2, 7)}`.toUpperCase();
					await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`], storage: 'memory' });
					await jsm.consumers.add(stream, { durable_name: 'd', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
					await fill(js, `${stream.toLowerCase()}.x`, count, size);
					try {
						return await fn(stream);
					} finally {
						await jsm.streams.delete(stream);
					}
				};
				// In turns (ours, raw, ours, raw…), so drift over the run favours neither.
				const [ours, raw] = await h.medianInTurns(runs, [
					onFreshBacklog((stream) => triggerConsume(JetStreamTrigger, server.url, stream, 'd', count, extra)),
					onFreshBacklog((stream) => rawConsume(js, stream, 'd', count)),
				]);
				const target = name.endsWith('default options') ? ' (target ≥ 0.7×)' : '';
				rows.push({ name: `${size} B, ${name}${target}`, ours: `${h.fmt(ours)} msg/s`, raw: `${h.fmt(raw)} msg/s`, ratio: `${(ours / raw).toFixed(2)}×` });
			}
		}
		h.table(`Trigger: ${count} messages, executions that finish at once (median of ${runs}); raw: consume() of 512 + ack()`, rows);
	} finally {
		await nc.close();
		await server.stop();
	}
};
