'use strict';
/**
 * Trigger throughput: messages → JetStream Trigger (decode, guards, emit, wait for the execution,
 * ack) with executions that finish at once, against raw consume() + ack() on the same backlog, its
 * pull size (max_messages) the best of several measured in the same run.
 */
const { connect, headers: natsHeaders } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const h = require('./lib/harness');
const { benchCredentials } = require('./publish');

/** Pull sizes tried for raw consume(): undefined is NATS.js's own default (100 in 3.x). */
const PULL_SIZES = [undefined, 256, 512, 1000];
const pullName = (size) => (size === undefined ? 'consume() default' : `consume() of ${size}`);

/**
 * `keys` distinct order ids (message i carries o-(i mod keys)): fewer than `count` publishes copies.
 * `seal` (the node's own AES-256-GCM, dist/) stores the payloads encrypted, as Encrypt Payload does.
 */
async function fill(js, subject, count, size, keys = count, seal) {
	const body = 'x'.repeat(size);
	const inFlight = new Set();
	for (let i = 0; i < count; i++) {
		if (inFlight.size >= 512) await Promise.race(inFlight);
		const payload = Buffer.from(JSON.stringify({ orderId: `o-${i % keys}`, body }));
		const done = (seal ? publishSealed(js, subject, payload, seal) : js.publish(subject, payload)).then(() => inFlight.delete(done));
		inFlight.add(done);
	}
	await Promise.all(inFlight);
}

function publishSealed(js, subject, payload, { encryptPayload, key }) {
	const sealed = encryptPayload(subject, payload, key);
	const h = natsHeaders();
	for (const [name, value] of Object.entries(sealed.headers)) h.set(name, value);
	return js.publish(subject, sealed.data, { headers: h });
}

/**
 * Both clocks start at the first message handed to the consumer's code (here: the first one out of
 * consume(); the node: its first emission) and stop at the last: the consumer is ready and one pull
 * answered for both, and neither the node's activation nor consume()'s setup is on a clock.
 */
const rate = (count, first) => (count - 1) / (Number(process.hrtime.bigint() - first) / 1e9);

/**
 * CPU time of this process per message over the same window, per contender: on a shared machine the
 * wall-clock rate follows the CPU a process gets, so this says what each one costs regardless of load.
 */
const cpuPerMessage = new Map();
const cpuMark = () => process.cpuUsage();
function keepCpu(label, since, count) {
	const used = process.cpuUsage(since);
	if (!cpuPerMessage.has(label)) cpuPerMessage.set(label, []);
	cpuPerMessage.get(label).push((used.user + used.system) / (count - 1));
}

async function rawConsume(js, stream, durable, count, maxMessages) {
	const consumer = await js.consumers.get(stream, durable);
	const messages = await consumer.consume(maxMessages === undefined ? {} : { max_messages: maxMessages });
	let n = 0;
	let first;
	let cpu;
	for await (const m of messages) {
		if (first === undefined) {
			first = process.hrtime.bigint();
			cpu = cpuMark();
		}
		m.ack();
		if (++n === count) break;
	}
	const measured = rate(count, first);
	keepCpu(pullName(maxMessages), cpu, count);
	return measured;
}

/** Until every message is answered (copies are acknowledged without an execution, so emissions undercount). */
async function drained(jsm, stream, durable) {
	for (;;) {
		const info = await jsm.consumers.info(stream, durable);
		if (info.num_pending === 0 && info.num_ack_pending === 0) return;
		await new Promise((r) => setTimeout(r, 5));
	}
}

async function triggerConsume(JetStreamTrigger, credentials, stream, durable, count, extra, jsm) {
	let n = 0;
	let first;
	let decryptedOk = false;
	let cpu;
	let finish;
	const finished = new Promise((r) => (finish = r));
	const params = {
		stream, consumerMode: 'bind', durableName: durable, ackMode: 'executionSucceeds', deadLetter: false, ...extra.params,
		options: { ...extra.options },
	};
	const ctx = h.triggerContext(params, credentials, (items) => {
		if (first === undefined) {
			first = process.hrtime.bigint();
			cpu = cpuMark();
		}
		// The payload's fields are there only if the trigger opened the ciphertext.
		decryptedOk ||= typeof items[0]?.json?.payload?.orderId === 'string';
		n += items.length;
		if (n >= (extra.copies ? count / 2 : count)) finish();
	});
	const response = await new JetStreamTrigger().trigger.call(ctx);
	await finished;
	if (extra.copies) await drained(jsm, stream, durable);
	const measured = rate(count, first);
	keepCpu(extra.encrypted ? 'node, encrypted' : 'node', cpu, count);
	await response.closeFunction();
	if (extra.encrypted && !decryptedOk) throw new Error('the trigger did not decrypt the backlog');
	return measured;
}

module.exports = async function triggerBench({ quick }) {
	// BENCH_CASE=idempotency (a part of a case name) runs only the matching rows; BENCH_RUNS, BENCH_SIZES too.
	const only = process.env.BENCH_CASE;
	const sizes = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(',').map(Number) : [128, 1024];
	h.ensureBuilt();
	const { JetStreamTrigger } = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js');
	const { encryptPayload } = h.dist('nodes/shared/payload/crypto.js');
	const { parseCredentials } = h.dist('nodes/shared/transport/credentials.js');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc);
	const js = jetstream(nc);
	// One credential for every node run: with a key, so the trigger can open the encrypted backlog.
	const credentials = benchCredentials(server.url);
	const seal = { encryptPayload, key: parseCredentials(credentials).encryptionKeys[0] };
	const count = quick ? 5_000 : 20_000;
	const runs = Number(process.env.BENCH_RUNS) || (quick ? 3 : 9);
	const rows = [];
	const chosen = [];
	const cpus = [];
	// The node with its defaults (5 executions at once) first; then the settings a high-volume user picks.
	const idempotent = { params: { idempotency: 'payloadField', idempotencyField: 'orderId' }, options: { parallelExecutions: 64 } };
	const cases = [
		['one message per execution, default options', {}],
		// Same defaults; the backlog stored with Encrypt Payload, which the trigger decrypts.
		['encrypted backlog (decrypted by the trigger), default options', { encrypted: true }],
		['one message per execution, 64 in parallel', { options: { parallelExecutions: 64 } }],
		['with idempotency check (payload key), 64 in parallel', idempotent],
		// The second half repeats the first half's keys: copies of messages processed a moment ago.
		['with idempotency check, second half copies of the first, 64 in parallel', { ...idempotent, copies: true }],
		['batches of 100, 4 in parallel', { options: { batchSize: 100, batchMaxWait: 0.05, parallelExecutions: 4 } }],
	];
	try {
		for (const size of sizes) {
			// Raw's pull size: the best of PULL_SIZES measured in the default-options rounds, then kept for the size.
			let best = 512;
			for (const [name, extra] of cases) {
				if (only && !name.includes(only)) continue;
				let round = 0;
				const onFreshBacklog = (fn, sealed = false) => async () => {
					const stream = `TB${size}_${round++}_${Math.random().toString(36).slice(2, 7)}`.toUpperCase();
					await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`], storage: 'memory' });
					await jsm.consumers.add(stream, { durable_name: 'd', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
					await fill(js, `${stream.toLowerCase()}.x`, count, size, extra.copies ? count / 2 : count, sealed ? seal : undefined);
					try {
						return await fn(stream);
					} finally {
						await jsm.streams.delete(stream);
					}
				};
				const node = (sealed, nodeExtra = extra) => onFreshBacklog((stream) => triggerConsume(JetStreamTrigger, credentials, stream, 'd', count, nodeExtra, jsm), sealed);
				const raw = (pull) => onFreshBacklog((stream) => rawConsume(js, stream, 'd', count, pull));
				const row = (label, ours, against, againstName) => rows.push({ name: `${size} B, ${label}`, ours: h.rateCell(ours), raw: `${againstName}: ${h.rateCell(against)}`, ratio: h.ratioCell(ours, against) });
				const isDefault = name.endsWith(', default options') && !extra.encrypted;
				cpuPerMessage.clear();
				if (isDefault) {
					// In turns, each round led by the next contender, so drift over the run favours none.
					const [ours, ...raws] = await h.inTurns(runs, [node(false), ...PULL_SIZES.map(raw)]);
					const top = raws.reduce((a, b) => (b.median > a.median ? b : a));
					best = PULL_SIZES[raws.indexOf(top)];
					chosen.push(`${size} B: ${pullName(best)} (medians: ${PULL_SIZES.map((p, i) => `${pullName(p)} ${h.fmt(raws[i].median)}`).join(', ')})`);
					row(`${name} vs the best raw (target ≥ 0.7×)`, ours, top, pullName(best));
					for (let i = 0; i < raws.length; i++) if (raws[i] !== top) row(`${name} vs ${pullName(PULL_SIZES[i])}`, ours, raws[i], pullName(PULL_SIZES[i]));
				} else if (extra.encrypted) {
					const [sealed, clear, rawBest] = await h.inTurns(runs, [node(true), node(false, {}), raw(best)]);
					row(`${name} vs the same backlog unencrypted (decryption overhead)`, sealed, clear, 'node, unencrypted');
					row(`${name} vs the best raw on the unencrypted backlog`, sealed, rawBest, pullName(best));
				} else {
					const [ours, rawBest] = await h.inTurns(runs, [node(false), raw(best)]);
					row(name, ours, rawBest, pullName(best));
				}
				const cpuLine = [...cpuPerMessage].map(([label, xs]) => `${label} ${h.median(xs).toFixed(1)} µs`).join(', ');
				cpus.push(`${size} B, ${name}: ${cpuLine}`);
			}
		}
		h.table(`Trigger: ${count} messages, executions that finish at once (median of ${runs} in turns; min–max; ratio per round min–max); raw: consume() + ack()`, rows);
		console.log(`\n_CPU time of the bench process per message (median of the runs, whole process, from the first message to the last):_\n`);
		for (const line of cpus) console.log(`- ${line}`);
		if (chosen.length) console.log(`\n_raw pull size chosen (best median of the default-options rounds): ${chosen.join('; ')}_`);
	} finally {
		await nc.close();
		await server.stop();
	}
};

module.exports.rawConsume = rawConsume;
module.exports.triggerConsume = triggerConsume;
module.exports.fill = fill;
