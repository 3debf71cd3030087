'use strict';
/**
 * The contenders of the peers benchmark, each on its own fresh backlog: how to fill it, the workflow
 * that reads it, whether its poison messages are settled (dead-lettered), and what is still waiting.
 */
const { jetStreamWorkflow, rabbitWorkflow, isPoison } = require('./peerWorkflows');
const { fillQueue, queueDepth } = require('./rabbitLocal');

/** Our trigger's default parallel executions: the RabbitMQ Trigger gets the same limit. */
const PARALLEL = 5;
/** Where the JetStream Trigger puts dead letters by default (stream DLQ, subject dlq.<stream>.<consumer>). */
const DLQ_STREAM = 'DLQ';

async function publishBacklog(js, subject, count) {
	const inFlight = new Set();
	for (let n = 1; n <= count; n++) {
		if (inFlight.size >= 256) await Promise.race(inFlight);
		const done = js.publish(subject, JSON.stringify({ n })).then(() => inFlight.delete(done));
		inFlight.add(done);
	}
	await Promise.all(inFlight);
}

/** Message numbers of the copies on a dead-letter subject (the copy keeps the original payload). */
async function deadLetteredNumbers(js, subject) {
	const numbers = [];
	const consumer = await js.consumers.get(DLQ_STREAM, { filter_subjects: [subject] }).catch(() => undefined);
	if (!consumer) return numbers;
	for (;;) {
		const batch = await consumer.fetch({ max_messages: 1000, expires: 1000 });
		let got = 0;
		for await (const m of batch) {
			got++;
			numbers.push(JSON.parse(m.string()).n);
		}
		if (got === 0) return numbers;
	}
}

function jetStreamContender({ key, label, skipDuplicates }) {
	const stream = `PEERS_${key.toUpperCase()}`;
	const durable = `peers-${key}`;
	const subject = `peers.${key}`;
	const dlqSubject = `dlq.${stream}.${durable}`;
	return {
		key,
		label,
		async prepare(s, count) {
			await s.jsm.streams.add({ name: stream, subjects: [subject] });
			await publishBacklog(s.js, subject, count);
		},
		workflow: (s) => jetStreamWorkflow({ credId: s.natsCredId, stream, durable, collectorPort: s.collector.port, skipDuplicates }),
		/** Every poison message is in the dead-letter stream. */
		async settled(s, poisonCount) {
			const info = await s.jsm.streams.info(DLQ_STREAM, { subjects_filter: dlqSubject }).catch(() => undefined);
			return (info?.state.subjects?.[dlqSubject] ?? 0) >= poisonCount;
		},
		deadLettered: (s) => deadLetteredNumbers(s.js, dlqSubject),
		async waiting(s) {
			const info = await s.jsm.consumers.info(stream, durable).catch(() => undefined);
			return info ? `${info.num_pending} pending + ${info.num_ack_pending} unacknowledged in the stream` : 'consumer gone';
		},
		limits: 'max deliveries 5 (default), then dead-lettered',
	};
}

function rabbitContender() {
	const queue = 'peers';
	return {
		key: 'c',
		label: 'n8n RabbitMQ Trigger (ack when execution finishes successfully)',
		prepare: (s, count) => fillQueue(s.rabbit.conn, queue, count),
		workflow: (s) => rabbitWorkflow({ credId: s.rabbitCredId, queue, collectorPort: s.collector.port, parallel: PARALLEL }),
		// A failed execution is nacked and requeued: there is no retry limit and no dead letter to wait for.
		settled: async () => false,
		deadLettered: async () => [],
		async waiting(s) {
			const depth = await queueDepth(s.rabbit.conn, queue);
			return `${depth.ready} ready in the queue`;
		},
		limits: 'no retry limit, no dead-letter (nack requeues)',
	};
}

function contenders() {
	return [
		jetStreamContender({ key: 'a', label: 'JetStream Trigger, defaults', skipDuplicates: false }),
		rabbitContender(),
		jetStreamContender({ key: 'b', label: 'JetStream Trigger, Skip Duplicates by Key (n)', skipDuplicates: true }),
	];
}

module.exports = { contenders, isPoison, PARALLEL };
