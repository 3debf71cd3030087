'use strict';
/**
 * Trigger throughput: messages → JetStream Trigger (decode, guards, emit, wait for the execution,
 * ack) with executions that finish at once, against raw consume() + ack() on the same backlog.
 */
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const h = require('./lib/harness');

/** `keys` distinct order ids (message i carries o-(i mod keys)): fewer than `count` publishes copies. */
async function fill(js, subject, count, size, keys = count) {
	const body = 'x'.repeat(size);
	const inFlight = new Set();
	for (let i = 0; i < count; i++) {
		if (inFlight.size >= 512) await Promise.race(inFlight);
		const done = js.publish(subject, JSON.stringify({ orderId: `o-${i % keys}`, body })).then(() => inFlight.delete(done));
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

/** Until every message is answered (copies are acknowledged without an execution, so emissions undercount). */
async function drained(jsm, stream, durable) {
	for (;;) {
		const info = await jsm.consumers.info(stream, durable);
		if (info.num_pending === 0 && info.num_ack_pending === 0) return;
		await new Promise((r) => setTimeout(r, 5));
	}
}

async function triggerConsume(JetStreamTrigger, url, stream, durable, count, extra, jsm) {
	let n = 0;
	let finish;
	const finished = new Promise((r) => (finish = r));
	const params = {
		stream, consumerMode: 'bind', durableName: durable, ackMode: 'executionSucceeds', deadLetter: false, ...extra.params,
		options: { ...extra.options },
	};
	const ctx = h.triggerContext(params, { servers: url, authType: 'none' }, (items) => {
		n += items.length;
		if (n >= (extra.copies ? count / 2 : count)) finish();
	});
	// Timed from a ready consumer, like the raw client (its clock starts after consumers.get): the
	// trigger's activation (connect, consumer and feature checks, ~8 ms) is not consumption.
	const response = await new JetStreamTrigger().trigger.call(ctx);
	const t = process.hrtime.bigint();
	await finished;
	if (extra.copies) await drained(jsm, stream, durable);
	const rate = count / (Number(process.hrtime.bigint() - t) / 1e9);
	await response.closeFunction();
	return rate;
}

module.exports = async function triggerBench({ quick }) {
	// BENCH_CASE=idempotency (a part of a case name) runs only the matching rows; BENCH_RUNS, BENCH_SIZES too.
	const only = process.env.BENCH_CASE;
	const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [128, 1024];
	h.ensureBuilt();
	const { JetStreamTrigger } = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	const count = quick ? 5_000 : 20_000;
	const runs = Number(process.env.BENCH_RUNS) || (quick ? 3 : 9);
	const rows = [];
	// The node with its defaults (5 executions at once) first; then the settings a high-volume user picks.
	const idempotent = { params: { idempotency: 'payloadField', idempotencyField: 'orderId' }, options: { parallelExecutions: 64 } };
	const cases = [
		['one message per execution, default options', {}],
		['one message per execution, 64 in parallel', { options: { parallelExecutions: 64 } }],
		['with idempotency check (payload key), 64 in parallel', idempotent],
		// The second half repeats the first half's keys: copies of messages processed a moment ago.
		['with idempotency check, second half copies of the first, 64 in parallel', { ...idempotent, copies: true }],
		['batches of 100, 4 in parallel', { options: { batchSize: 100, batchMaxWait: 0.05, parallelExecutions: 4 } }],
	];
	try {
		for (const size of sizes) {
			for (const [name, extra] of cases) {
				if (only && !name.includes(only)) continue;
				let round = 0;
				const onFreshBacklog = (fn) => async () => {
					const stream = `TB${size}_${round++}_${Math.random().toString(36).slice(2, 7)}`.toUpperCase();
					await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`], storage: 'memory' });
					await jsm.consumers.add(stream, { durable_name: 'd', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
					await fill(js, `${stream.toLowerCase()}.x`, count, size, extra.copies ? count / 2 : count);
					try {
						return await fn(stream);
					} finally {
						await jsm.streams.delete(stream);
					}
				};
				// In turns (ours, raw, ours, raw…), so drift over the run favours neither.
				const [ours, raw] = await h.medianInTurns(runs, [
					onFreshBacklog((stream) => triggerConsume(JetStreamTrigger, server.url, stream, 'd', count, extra, jsm)),
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
