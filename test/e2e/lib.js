'use strict';
/** Small helpers of the end-to-end suite: waiting, checking, and reading n8n's executions. */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

/** `what` may be a function: it is called at the timeout, so the error can say what was seen last. */
async function eventually(check, timeoutMs, what) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await check();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
		await pause(250);
	}
}

function expect(condition, message) {
	if (!condition) throw new Error(message);
}

/** Every execution of a workflow n8n lists (finished ones; in queue mode only those). */
async function executions(n8n, workflowId) {
	const out = [];
	let cursor;
	do {
		const page = await n8n.api('GET', `/executions?workflowId=${workflowId}&includeData=true&limit=250${cursor ? `&cursor=${cursor}` : ''}`);
		out.push(...page.data);
		cursor = page.nextCursor;
	} while (cursor);
	return out;
}

async function successfulExecutions(n8n, workflowId) {
	return (await executions(n8n, workflowId)).filter((e) => e.status === 'success');
}

/** The JetStream Trigger's output item of an execution (its message: payload, sequence, delivery count). */
const triggerItem = (e) => e.data?.resultData?.runData?.['JetStream Trigger']?.[0]?.data?.main?.[0]?.[0]?.json;

/** Each message's successful executions, by the key in its payload. */
function runsPerOrder(list) {
	const runs = new Map();
	for (const e of list) {
		const orderId = triggerItem(e)?.payload?.orderId;
		if (orderId !== undefined) runs.set(orderId, (runs.get(orderId) ?? 0) + 1);
	}
	return runs;
}

function triggeredSequences(list) {
	return list.map((e) => triggerItem(e)?.streamSequence).filter((s) => s !== undefined);
}

async function publishOrders(js, subject, prefix, count, extra = () => ({})) {
	for (let i = 1; i <= count; i++) await js.publish(subject, JSON.stringify({ orderId: `${prefix}-${i}`, ...extra(i) }));
}

const ackFloor = async (jsm, stream, durable) => (await jsm.consumers.info(stream, durable).catch(() => undefined))?.ack_floor.stream_seq ?? 0;

/** An example workflow from examples/, its NATS credential pointed at the e2e one, ready for the public API. */
function example(file, credId) {
	const wf = JSON.parse(readFileSync(join(__dirname, '..', '..', 'examples', file), 'utf8'));
	for (const n of wf.nodes) if (n.credentials?.jetStreamNatsApi) n.credentials.jetStreamNatsApi = { id: credId, name: 'NATS e2e' };
	return { name: wf.name, nodes: wf.nodes, connections: wf.connections, settings: wf.settings ?? {} };
}

module.exports = { pause, eventually, expect, executions, successfulExecutions, runsPerOrder, triggeredSequences, triggerItemOf: triggerItem, publishOrders, ackFloor, example };
