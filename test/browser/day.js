'use strict';
/**
 * The rest of a citizen developer's first day (issue 27), after the first workflow of run.js: an
 * orders workflow whose trigger finds the stream the first one created, a Code node that refuses an
 * order without a customer, the order dead-lettered after its last delivery, inspected with every field
 * of its record, the workflow fixed, the order redriven and run, and the producer's retry of the
 * same order skipped as a duplicate. The workflows are made through n8n's API, as an import would
 * make them; what a user looks at (the executions list, a node's output) is read in the browser.
 */
const { headers: natsHeaders } = require('@nats-io/transport-node');

const { eventually, expect, pause } = require('../e2e/lib');
const editor = require('./editor');

const JS = 'n8n-nodes-jetstream.jetStream';
const TRIGGER = 'n8n-nodes-jetstream.jetStreamTrigger';
const DURABLE = 'orders-day';
const ORDER = { orderId: 'A-1006', total: 42 };
const byName = (value) => ({ __rl: true, mode: 'name', value });
const link = (from, to) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });
const node = (name, type, parameters, position, credentialId, extra = {}) => ({
	id: name.replace(/\W/g, '-').toLowerCase(),
	name,
	type,
	typeVersion: 1,
	position,
	parameters,
	...(credentialId ? { credentials: { jetStreamNatsApi: { id: credentialId, name: 'NATS local' } } } : {}),
	...extra,
});

const REFUSE = "for (const item of $input.all()) {\n  const order = item.json.payload;\n  if (!order.customer) throw new Error(`Order ${order.orderId} has no customer`);\n}\nreturn $input.all();";
const FIXED = "for (const item of $input.all()) {\n  const order = item.json.payload;\n  order.customer = order.customer || 'walk-in';\n}\nreturn $input.all();";

/** What the README's recipe saves of each message as the execution's highlight data. */
const HIGHLIGHTS = [
	['stream', '={{ $json.stream }}'],
	['sequence', '={{ $json.streamSequence }}'],
	['messageId', '={{ $json.messageId }}'],
	['delivery', "={{ $json.deliveryCount }} of {{ $json.maxDeliveries ?? 'unlimited' }}, if it fails: {{ $json.ifExecutionFails }}"],
];

/** Trigger (Skip Duplicates by the producer's Nats-Msg-Id, dead letters on by default) → Code. */
function ordersWorkflow(credentialId, stream, code) {
	return {
		name: 'Orders',
		nodes: [
			node(
				'JetStream Trigger',
				TRIGGER,
				{
					stream: byName(stream),
					consumerMode: 'createOrUpdate',
					durableName: DURABLE,
					deliverPolicy: 'new',
					consumerOptions: { maxDeliver: 2 },
					ackMode: 'executionSucceeds',
					idempotency: 'messageId',
					options: { retryDelay: 0.5, statsInterval: 5 },
				},
				[0, 0],
				credentialId,
			),
			// n8n's own way to make an execution say what it ran: highlight data, shown on each execution.
			node(
				'Note the Message',
				'n8n-nodes-base.executionData',
				{ dataToSave: { values: HIGHLIGHTS.map(([key, value]) => ({ key, value })) } },
				[220, 0],
				undefined,
				{ typeVersion: 1 },
			),
			node('Check Order', 'n8n-nodes-base.code', { jsCode: code }, [440, 0], undefined, { typeVersion: 2 }),
		],
		connections: { ...link('JetStream Trigger', 'Note the Message'), ...link('Note the Message', 'Check Order') },
		settings: { executionOrder: 'v1' },
	};
}

/** What a user runs by hand to look after the flow: the dead letters, a redrive, the trigger's figures. */
function opsWorkflow(credentialId, stream) {
	const manual = 'When clicking ‘Execute workflow’';
	return {
		name: 'Orders: dead letters',
		nodes: [
			node(manual, 'n8n-nodes-base.manualTrigger', {}, [0, 0]),
			node('Get Dead Letters', JS, { resource: 'deadLetter', operation: 'getAll', returnAll: true }, [260, -160], credentialId),
			node('Redrive Dead Letters', JS, { resource: 'deadLetter', operation: 'redrive', select: 'all' }, [260, 0], credentialId),
			node('Trigger Statistics', JS, { resource: 'monitor', operation: 'triggerStatistics', stream: byName(stream), consumerName: byName(DURABLE) }, [260, 160], credentialId),
		],
		connections: { [manual]: { main: [['Get Dead Letters', 'Redrive Dead Letters', 'Trigger Statistics'].map((to) => ({ node: to, type: 'main', index: 0 }))] } },
		settings: { executionOrder: 'v1' },
	};
}

async function credentialId(s) {
	const list = await s.n8n.rest('GET', '/credentials');
	const found = list.data.find((c) => c.name === s.credentialName);
	expect(found, `no credential named "${s.credentialName}" in n8n`);
	return found.id;
}

/** The producer: NATS.js publishing an order with its business id as Nats-Msg-Id. */
async function produce(s, order) {
	const h = natsHeaders();
	h.set('Nats-Msg-Id', order.orderId);
	return s.js.publish('orders.created', JSON.stringify(order), { headers: h });
}

const triggerItemOf = (execution) => execution.data?.resultData?.runData?.['JetStream Trigger']?.[0]?.data?.main?.[0]?.[0]?.json;

async function ordersExecutions(s) {
	const page = await s.n8n.api('GET', `/executions?workflowId=${s.orders.id}&includeData=true&limit=100`);
	return page.data;
}

async function openWorkflow(s, id) {
	await s.page.goto(`${s.n8n.base}/workflow/${id}`, { waitUntil: 'domcontentloaded' });
	await s.page.getByTestId('canvas-node').first().waitFor({ timeout: 60_000 });
}

/** Opens a node of the open workflow, runs it ("Execute step") and returns its output panel's text. */
async function executeNode(s, name) {
	await s.page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).dblclick();
	const ndv = editor.ndv(s.page);
	await ndv.waitFor();
	await ndv.getByTestId('node-execute-button').click();
	const output = ndv.getByTestId('output-panel');
	await output.getByText(/^\d+ items?$/).first().waitFor({ timeout: 30_000 });
	return output;
}

/** The output panel switched to JSON, where nested figures read as they are. */
async function showJson(output) {
	await output.getByTestId('ndv-run-data-display-mode').getByText('JSON', { exact: true }).click();
	return output;
}

async function closeNode(s) {
	await s.page.getByTestId('ndv-close-button').click();
	await editor.ndv(s.page).waitFor({ state: 'hidden' });
}

const steps = [
	{
		name: 'the orders workflow: a trigger that finds its stream, a Code node that refuses an order without a customer',
		screenshot: '11-orders-workflow.png',
		async run(s) {
			s.credentialId = await credentialId(s);
			s.orders = await s.n8n.api('POST', '/workflows', ordersWorkflow(s.credentialId, s.dayStream, REFUSE));
			await s.n8n.api('POST', `/workflows/${s.orders.id}/activate`);
			await eventually(async () => (await s.jsm.consumers.info(s.dayStream, DURABLE).then(() => true, () => false)), 20_000, `the trigger's consumer "${DURABLE}"`);
			await openWorkflow(s, s.orders.id);
			await s.page.getByTestId('zoom-to-fit').click();
		},
	},
	{
		name: 'a bad order fails twice; the executions list shows both, the last one says it was dead-lettered',
		screenshot: '12-failed-executions.png',
		async run(s) {
			await produce(s, ORDER);
			let failed = [];
			await eventually(async () => {
				failed = (await ordersExecutions(s)).filter((e) => e.status === 'error');
				return failed.length === 2;
			}, 30_000, 'two failed executions of the orders workflow');
			const items = failed.map(triggerItemOf).sort((a, b) => a.deliveryCount - b.deliveryCount);
			const told = items.map((i) => `${i.messageId} delivery ${i.deliveryCount}/${i.maxDeliveries}: ${i.ifExecutionFails}`).join('; ');
			expect(told === 'A-1006 delivery 1/2: retry; A-1006 delivery 2/2: dead-letter', `the executions' trigger items say: ${told}`);
			const highlights = failed.map((e) => `${e.customData?.messageId} ${e.customData?.delivery}`).sort();
			expect(
				highlights.join('; ') === 'A-1006 1 of 2, if it fails: retry; A-1006 2 of 2, if it fails: dead-letter',
				`the executions' highlight data: ${JSON.stringify(failed.map((e) => e.customData))}`,
			);
			await eventually(async () => (await s.jsm.streams.info('DLQ').then((i) => i.state.messages, () => 0)) === 1, 20_000, 'the order in the dead-letter stream');
			await s.page.goto(`${s.n8n.base}/workflow/${s.orders.id}/executions`, { waitUntil: 'domcontentloaded' });
			// Each execution of the list is a link to it, saying its status.
			const failedRuns = s.page.getByRole('link').filter({ hasText: /Error\s*in/ });
			await eventually(async () => (await failedRuns.count()) === 2, 30_000, 'two failed executions in the list');
			// n8n 2.41 opens its "Production Checklist" over the list once a workflow is published.
			const checklist = s.page.getByText('Production Checklist');
			await checklist.waitFor({ timeout: 5_000 }).then(
				() => s.page.keyboard.press('Escape'),
				() => undefined, // not shown: nothing to close
			);
			await checklist.waitFor({ state: 'hidden' });
		},
	},
	{
		name: 'Dead Letter → Get Many shows every field of the record',
		screenshot: '13-dead-letter-inspected.png',
		async run(s) {
			s.ops = await s.n8n.api('POST', '/workflows', opsWorkflow(s.credentialId, s.dayStream));
			await openWorkflow(s, s.ops.id);
			const output = await showJson(await executeNode(s, 'Get Dead Letters'));
			await output.getByText('"originalMsgId"').first().waitFor();
			const text = await output.innerText();
			for (const field of ['reason', 'max-deliveries', 'originalMsgId', 'A-1006', 'originalSubject', 'orders.created', 'workflowId', s.orders.id, 'failedNode', 'Check Order', 'has no customer']) {
				expect(text.includes(field), `the dead letter's output does not show "${field}":\n${text.slice(0, 1500)}`);
			}
		},
		async after(s) {
			await closeNode(s);
		},
	},
	{
		name: 'the workflow fixed, Redrive sends the order again and it runs, keeping its identity',
		screenshot: '14-redriven.png',
		async run(s) {
			// The user fixes the Code node and publishes the workflow again.
			await s.n8n.api('POST', `/workflows/${s.orders.id}/deactivate`);
			await s.n8n.api('PUT', `/workflows/${s.orders.id}`, ordersWorkflow(s.credentialId, s.dayStream, FIXED));
			await s.n8n.api('POST', `/workflows/${s.orders.id}/activate`);
			await openWorkflow(s, s.ops.id);
			const output = await showJson(await executeNode(s, 'Redrive Dead Letters'));
			await output.getByText('"redriven"').first().waitFor();
			const text = await output.innerText();
			expect(/"redriven":\s*1\b/.test(text), `the redrive's output:\n${text.slice(0, 800)}`);
			let succeeded = [];
			await eventually(async () => {
				succeeded = (await ordersExecutions(s)).filter((e) => e.status === 'success');
				return succeeded.length === 1;
			}, 30_000, 'the redriven order run once, successfully');
			const item = triggerItemOf(succeeded[0]);
			expect(item.messageId === 'A-1006' && item.redrives === 1, `the redriven order's item: messageId ${item.messageId}, redrives ${item.redrives}`);
		},
		async after(s) {
			await closeNode(s);
		},
	},
	{
		name: "the producer's retry of the same order is skipped: no execution, counted in Trigger Statistics",
		screenshot: '15-retry-skipped.png',
		async run(s) {
			// A producer retrying after the stream's duplicate window (2 min by default) reaches the
			// stream; the window is shortened here so the walk need not wait for it.
			const info = await s.jsm.streams.info(s.dayStream);
			await s.jsm.streams.update(s.dayStream, { ...info.config, duplicate_window: 1_000_000_000 });
			await pause(1_500);
			const ack = await produce(s, ORDER);
			expect(!ack.duplicate, 'the retry was dropped by the stream, not by the trigger');
			await eventually(async () => {
				const consumer = await s.jsm.consumers.info(s.dayStream, DURABLE);
				return consumer.num_pending === 0 && consumer.num_ack_pending === 0 && consumer.ack_floor.stream_seq === ack.seq;
			}, 20_000, 'the retry acknowledged');
			const runs = (await ordersExecutions(s)).length;
			expect(runs === 3, `the orders workflow ran ${runs} times (2 failed, 1 redriven), not 3`);
			// The log line a user finds in n8n's log.
			await eventually(() => new RegExp(`Message ${ack.seq} skipped, acknowledged without an execution: .*A-1006`).test(s.n8n.log), 10_000, "the skip's log line naming its key");
			await openWorkflow(s, s.ops.id);
			let text = '';
			await eventually(async () => {
				const output = await showJson(await executeNode(s, 'Trigger Statistics'));
				text = await output.innerText();
				if (/"duplicatesSkipped":\s*1\b/.test(text)) return true;
				await closeNode(s);
				return false;
			}, 30_000, 'Trigger Statistics counting the skipped duplicate');
		},
		async after(s) {
			await closeNode(s);
		},
	},
];

module.exports = { steps };
