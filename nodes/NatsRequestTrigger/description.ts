import type { INodeProperties } from 'n8n-workflow';

import { binaryPropertyField, contentField } from '../shared/payload/fields';

/** The request trigger's parameters; read once at activation by `settings.ts`. */
export const properties: INodeProperties[] = [
	{
		displayName: 'Subject',
		name: 'subject',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. pricing.quote',
		description:
			'The subject requests arrive on. Wildcards are allowed (<code>pricing.*</code>, <code>pricing.></code>); the JetStream node\'s Message → Request operation sends to it.',
	},
	{
		displayName: 'Queue Group',
		name: 'queueGroup',
		type: 'string',
		default: 'n8n',
		placeholder: 'e.g. n8n',
		description:
			'Every workflow or n8n instance listening with the same group shares the requests: each goes to exactly one of them. Leave empty to receive every request in every listener.',
	},
	{
		displayName: 'Reply With',
		name: 'replyWith',
		type: 'options',
		default: 'firstItem',
		description: 'What the requester gets back. A failed execution always answers with an error (headers <code>Nats-Service-Error</code> and <code>Nats-Service-Error-Code</code>).',
		options: [
			{ name: 'First Item of the Last Node', value: 'firstItem', description: 'The JSON of the first item the workflow\'s last node produced, when the execution finishes' },
			{ name: 'All Items of the Last Node', value: 'allItems', description: 'A JSON array of every item the last node produced, when the execution finishes' },
			{ name: 'Empty Reply When Done', value: 'empty', description: 'An empty reply once the execution succeeded: a confirmation, no data' },
			{ name: 'Acknowledgement at Once', value: 'immediately', description: 'Reply {"accepted": true} before the workflow runs; the requester does not wait for it (and hears nothing of a failure)' },
			{ name: 'Reply Node', value: 'replyNode', description: 'A JetStream node (Message → Reply) in the workflow sends the answer; a failed execution is still answered with an error. Needed in queue mode.' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			contentField('request payload', 'a request that is not JSON is answered with an error (code 400) and starts no execution'),
			{
				displayName: 'Execution Timeout (Seconds)',
				name: 'executionTimeout',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0.1, numberPrecision: 1 },
				description:
					'If the execution has not finished by then, the requester gets an error (code 504). Keep it below the requester\'s own timeout so it hears why.',
			},
			{
				displayName: 'Max Wait for a Free Slot (Seconds)',
				name: 'maxWait',
				type: 'number',
				default: 10,
				typeOptions: { minValue: 0 },
				description:
					'When every execution slot is busy, how long a request may wait for one. After that — or at once when ten times the parallel limit are already waiting — it is answered "busy" (code 503). A request from the JetStream node whose requester has stopped waiting never starts an execution.',
			},
			{
				displayName: 'Parallel Executions',
				name: 'parallelExecutions',
				type: 'number',
				default: 10,
				typeOptions: { minValue: 1, maxValue: 1000 },
				description: 'How many requests run at once in this listener; more wait their turn (and may reach the requester\'s timeout)',
			},
			{ ...binaryPropertyField, description: 'Name of the binary field that holds a binary request payload' },
		],
	},
];
