'use strict';
/**
 * The one workflow shape every contender of the peers benchmark runs, only its trigger differs:
 * Trigger → Record Attempt (HTTP POST /attempt/<n> to the collector) → Work (Code: throws for the
 * poison messages, every time) → Record Success (HTTP POST /success/<n>).
 */
const TRIGGER = 'n8n-nodes-jetstream.jetStreamTrigger';

/** Message n is poison when n % 10 === 0: 10 % of the messages, decided by the number alone. */
const isPoison = (n) => n % 10 === 0;

const node = (name, type, typeVersion, parameters, position, extra = {}) => ({ id: name.replace(/\W/g, '-').toLowerCase(), name, type, typeVersion, position, parameters, ...extra });
const link = (from, to) => ({ [from]: { main: [[{ node: to, type: 'main', index: 0 }]] } });

function shape(name, trigger, numberOf, collectorPort) {
	const post = (what) => ({ method: 'POST', url: `=http://127.0.0.1:${collectorPort}/${what}/{{ ${numberOf} }}`, options: {} });
	const work = `const n = ${numberOf.replace('.item.', '.first().')};\nif (n % 10 === 0) throw new Error('message ' + n + ' is poison');\nreturn $input.all();`;
	return {
		name,
		nodes: [
			trigger,
			node('Record Attempt', 'n8n-nodes-base.httpRequest', 4.2, post('attempt'), [220, 0]),
			node('Work', 'n8n-nodes-base.code', 2, { jsCode: work }, [440, 0]),
			node('Record Success', 'n8n-nodes-base.httpRequest', 4.2, post('success'), [660, 0]),
		],
		connections: { ...link('Trigger', 'Record Attempt'), ...link('Record Attempt', 'Work'), ...link('Work', 'Record Success') },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * This package's trigger with its defaults (acknowledge when the execution succeeds, 5 deliveries,
 * doubling retry delay from 5 s, dead-letter stream on, 5 parallel executions). deliverPolicy "all"
 * only because the backlog is published before activation (the default "new" would skip it).
 */
function jetStreamWorkflow({ credId, stream, durable, collectorPort, skipDuplicates }) {
	const keyed = skipDuplicates ? { idempotency: 'payloadField', idempotencyField: 'n' } : {};
	const trigger = node('Trigger', TRIGGER, 1, { stream, consumerMode: 'createOrUpdate', durableName: durable, deliverPolicy: 'all', ...keyed, options: {} }, [0, 0], {
		credentials: { jetStreamNatsApi: { id: credId, name: 'NATS peers' } },
	});
	return shape(`peers ${durable}`, trigger, "$('Trigger').item.json.payload.n", collectorPort);
}

/**
 * n8n's RabbitMQ Trigger: acknowledge "executionFinishesSuccessfully" (a failed execution is nacked,
 * which requeues it), at most `parallel` messages at once (prefetch), JSON body parsed, content only.
 */
function rabbitWorkflow({ credId, queue, collectorPort, parallel }) {
	const options = { acknowledge: 'executionFinishesSuccessfully', parallelMessages: parallel, jsonParseBody: true, onlyContent: true };
	const trigger = node('Trigger', 'n8n-nodes-base.rabbitmqTrigger', 1, { queue, options }, [0, 0], {
		credentials: { rabbitmq: { id: credId, name: 'RabbitMQ peers' } },
	});
	return shape(`peers rabbitmq ${queue}`, trigger, "$('Trigger').item.json.n", collectorPort);
}

module.exports = { jetStreamWorkflow, rabbitWorkflow, isPoison };
