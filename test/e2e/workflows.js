'use strict';
const { randomUUID } = require('node:crypto');
/** Workflows the e2e suite creates in n8n, built from our node types as n8n stores them. */

const JS = 'n8n-nodes-jetstream.jetStream';
const TRIGGER = 'n8n-nodes-jetstream.jetStreamTrigger';
const node = (name, type, parameters, position, extra = {}) => ({ id: name.replace(/\W/g, '-').toLowerCase(), name, type, typeVersion: 1, position, parameters, ...extra });
const webhookId = 'b7e0c1a2-5d3f-4e6a-9c8b-0123456789ab';
const cred = (id) => ({ jetStreamNatsApi: { id, name: 'NATS e2e' } });
const link = (from, to) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });

/** Webhook → JetStream publish (idempotency key = orderId) → the publish output is the HTTP answer. */
function publishWorkflow(credId, path, subject) {
	return {
		name: 'e2e publish',
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} }, [0, 0], { typeVersion: 2, webhookId }),
			node('Split Orders', 'n8n-nodes-base.code', { jsCode: 'return $input.first().json.body.orders.map((o) => ({ json: o }));' }, [220, 0]),
			node('Publish', JS, { resource: 'message', operation: 'publish', subject, payloadSource: 'json', idempotencyKey: '={{ $json.orderId }}' }, [440, 0], { credentials: cred(credId) }),
		],
		connections: { ...link('Webhook', 'Split Orders'), ...link('Split Orders', 'Publish') },
		settings: { executionOrder: 'v1' },
	};
}

/** Webhook → Split Orders → JetStream Publish (sender headers on by default), named with non-ASCII characters. */
function auditSenderWorkflow(credId, path, subject) {
	const wf = publishWorkflow(credId, path, subject);
	wf.nodes[2] = { ...wf.nodes[2], name: 'Publish Order', id: 'publish-order', parameters: { resource: 'message', operation: 'publish', subject, payloadSource: 'json' } };
	wf.connections = { ...link('Webhook', 'Split Orders'), ...link('Split Orders', 'Publish Order') };
	return { ...wf, name: 'e2e audit: Orders → ERP (Zürich)' };
}

/** JetStream Trigger → Code that throws for payloads with fail: true. */
function consumeWorkflow(credId, stream, durable, extra = {}) {
	return {
		name: `e2e consume ${durable}`,
		nodes: [
			node('JetStream Trigger', TRIGGER, { stream, consumerMode: 'createOrUpdate', durableName: durable, deliverPolicy: 'all', consumerOptions: { ackWaitSeconds: 5, maxDeliver: 3, maxAckPending: 100 }, ackMode: 'executionSucceeds', options: { retryDelay: 0.2, maxRetryDelay: 1 }, ...extra }, [0, 0], { credentials: cred(credId) }),
			node('Work', 'n8n-nodes-base.code', { jsCode: "for (const item of $input.all()) { if (item.json.payload && item.json.payload.fail) throw new Error('order ' + item.json.payload.orderId + ' cannot be processed'); }\nreturn $input.all();" }, [220, 0]),
		],
		connections: link('JetStream Trigger', 'Work'),
		settings: { executionOrder: 'v1' },
	};
}

/** JetStream Trigger (ack later) → JetStream Acknowledge. */
function ackLaterWorkflow(credId, stream, durable) {
	return {
		name: 'e2e ack later',
		nodes: [
			node('JetStream Trigger', TRIGGER, { stream, consumerMode: 'createOrUpdate', durableName: durable, deliverPolicy: 'all', consumerOptions: { ackWaitSeconds: 30, maxDeliver: 5, maxAckPending: 100 }, ackMode: 'later', options: {} }, [0, 0], { credentials: cred(credId) }),
			node('Acknowledge', JS, { resource: 'message', operation: 'acknowledge', ackToken: '={{ $json.ackToken }}', ackAction: 'ack' }, [220, 0], { credentials: cred(credId) }),
		],
		connections: link('JetStream Trigger', 'Acknowledge'),
		settings: { executionOrder: 'v1' },
	};
}

/**
 * JetStream Trigger → Wait (a slow SaaS call: under 65 s n8n waits in the execution itself), and with
 * `acknowledgeAtEnd` → JetStream Acknowledge, the message answered by the workflow (on the worker in queue mode).
 */
function slowWorkflow(credId, stream, durable, { seconds, parallel, ackWaitSeconds, idempotency, acknowledgeAtEnd }) {
	const keyed = idempotency ? { idempotency: 'payloadField', idempotencyField: 'orderId' } : {};
	const nodes = [
		node('JetStream Trigger', TRIGGER, { stream, consumerMode: 'createOrUpdate', durableName: durable, deliverPolicy: 'all', consumerOptions: { ackWaitSeconds, maxDeliver: 5, maxAckPending: 1000 }, ackMode: acknowledgeAtEnd ? 'later' : 'executionSucceeds', ...keyed, options: { parallelExecutions: parallel } }, [0, 0], { credentials: cred(credId) }),
		node('Slow Call', 'n8n-nodes-base.wait', { resume: 'timeInterval', amount: seconds, unit: 'seconds' }, [220, 0], { typeVersion: 1.1, webhookId: randomUUID() }),
	];
	let connections = link('JetStream Trigger', 'Slow Call');
	if (acknowledgeAtEnd) {
		nodes.push(node('Acknowledge', JS, { resource: 'message', operation: 'acknowledge', ackToken: "={{ $('JetStream Trigger').item.json.ackToken }}", ackAction: 'ack' }, [440, 0], { credentials: cred(credId) }));
		connections = { ...connections, ...link('Slow Call', 'Acknowledge') };
	}
	return { name: `e2e slow ${durable}`, nodes, connections, settings: { executionOrder: 'v1' } };
}

module.exports = { auditSenderWorkflow, publishWorkflow, consumeWorkflow, ackLaterWorkflow, slowWorkflow };
