import type { INodeProperties } from 'n8n-workflow';

import { consumerSelectionFields, consumerTuningFields } from '../shared/consumer/consumerFields';
import { bucketLocator, consumerLocator, streamLocator } from '../shared/n8n/locators';
import { binaryPropertyField, contentField } from '../shared/payload/fields';
import { DEFAULT_STATS_BUCKET } from '../shared/stats/bucket';
import { featureFields } from './featureFields';
import { TRIGGER_DELIVER_POLICY } from './settings';

/** The trigger's UI. Every option says what it does for someone who never used NATS. */

const createOnly = { show: { consumerMode: ['createOrUpdate'] } };

const selectionFields = consumerSelectionFields(createOnly, TRIGGER_DELIVER_POLICY);

const replayNotice: INodeProperties = {
	displayName:
		'A new consumer reads every message the stream still holds, oldest first: its whole history runs through this workflow on the first activation. Choose "New" to start with the messages published from now on.',
	name: 'replayNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { consumerMode: ['createOrUpdate'], deliverPolicy: ['all'] } },
};

/**
 * The way forward on a server without the stream, from the trigger itself: a JetStream node added to
 * create it would be wired after this trigger and never run before it. Off by default: a mistyped
 * stream name must fail, not become a new empty stream the trigger waits on for ever. Hidden when
 * binding: an admin's consumer lives on a stream that exists.
 */
const createStreamFields: INodeProperties[] = [
	{
		displayName: 'Create Stream If Missing',
		name: 'createStream',
		type: 'boolean',
		default: false,
		displayOptions: createOnly,
		description: 'Whether to create the stream when it does not exist yet. A stream that exists is never changed.',
		hint: 'Creates a stream on disk that keeps every message until it is deleted or purged (no age or size limit), storing the Stream Subjects. Change it later with a JetStream node: Stream → Update.',
	},
	{
		displayName: 'Stream Subjects',
		name: 'streamSubjects',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.>',
		displayOptions: { show: { consumerMode: ['createOrUpdate'], createStream: [true] } },
		description:
			'The subjects the new stream stores, comma-separated; publish to them to start the workflow. Empty: the Filter Subjects, or without those the stream name followed by .> (stream ORDERS stores ORDERS.>).',
	},
];

/** Retry and pacing of the consumer the trigger creates, folded away: the defaults suit most workflows. */
export const consumerOptions: INodeProperties = {
	displayName: 'Consumer Settings',
	name: 'consumerOptions',
	type: 'collection',
	placeholder: 'Add setting',
	default: {},
	displayOptions: createOnly,
	// Shown in "create or update" mode only: a bound consumer's settings belong to its admin.
	options: consumerTuningFields(),
};

export const options: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Batch Max Wait (Seconds)',
			name: 'batchMaxWait',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 0.01, maxValue: 600, numberPrecision: 2 },
			description: 'With a batch size above 1: start the execution after this long even if the batch is not full',
		},
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			default: 1,
			typeOptions: { minValue: 1, maxValue: 1000 },
			description:
				'Messages per execution, as separate items. The whole batch is acknowledged or retried by the outcome of its execution.',
		},
		binaryPropertyField,
		{
			displayName: 'Circuit Breaker Cool-Down (Seconds)',
			name: 'circuitBreakerCoolDown',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 1 },
			description: 'How long to stop pulling once the circuit breaker opened, before one trial message',
		},
		{
			displayName: 'Circuit Breaker: Pause Consumer on Server',
			name: 'circuitBreakerPauseConsumer',
			type: 'boolean',
			default: false,
			description:
				'Whether an open circuit also pauses the consumer on the NATS server for the cool-down (server 2.11+): every n8n instance reading it stops, and admins see it paused. Needs Circuit Breaker Failures above 0.',
		},
		{
			displayName: 'Circuit Breaker Failures',
			name: 'circuitBreakerFailures',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description:
				'Stop pulling messages after this many failed executions in a row (the service behind the workflow is probably down); the messages wait in the stream. 0 = off.',
		},
		{
			displayName: 'Close Timeout (Seconds)',
			name: 'closeTimeout',
			type: 'number',
			default: 5,
			typeOptions: { minValue: 0.1, numberPrecision: 1 },
			description:
				'When the workflow is deactivated (or n8n stops), the longest it may take to hand back the messages that were read but not started. Running executions are not interrupted: their messages are acknowledged or retried by their outcome when they end.',
		},
		contentField('message payload', 'a message that is not JSON is recorded as a failed execution and moved to the dead-letter stream'),
		{
			displayName: 'Execution Timeout (Seconds)',
			name: 'executionTimeout',
			type: 'number',
			default: 3600,
			typeOptions: { minValue: 1 },
			description:
				'If n8n does not report the end of an execution within this time (crash, lost worker), its messages are retried',
		},
		{
			displayName: 'Max Retry Delay (Seconds)',
			name: 'maxRetryDelay',
			type: 'number',
			default: 300,
			typeOptions: { minValue: 0.05, numberPrecision: 2 },
			description: 'Upper limit for the doubling retry delay',
		},
		{
			displayName: 'Parallel Executions',
			name: 'parallelExecutions',
			type: 'number',
			default: 5,
			typeOptions: { minValue: 1, maxValue: 1000 },
			description: 'How many executions may run at the same time; more messages wait in the stream, not in memory',
		},
		{
			displayName: 'Payload Only',
			name: 'payloadOnly',
			type: 'boolean',
			default: false,
			description: 'Whether the item is the payload itself, with the message details under "_jetstream"',
		},
		{
			displayName: 'Rate Limit (Messages per Second)',
			name: 'rateLimit',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, numberPrecision: 2 },
			description: 'Start at most this many messages per second, e.g. to respect an API limit downstream. 0 = no limit.',
		},
		bucketLocator({
			name: 'statsBucket',
			displayName: 'Statistics Bucket',
			required: false,
			defaultMode: 'name',
			defaultValue: DEFAULT_STATS_BUCKET,
			description:
				'Key-value bucket the trigger writes its figures to every interval (one key per active trigger), read by the JetStream node\'s Monitor → Trigger Statistics. Empty = write none (they are still logged and in n8n\'s /metrics).',
		}),
		{
			displayName: 'Statistics Interval (Seconds)',
			name: 'statsInterval',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 5, maxValue: 3600 },
			description: 'How often the trigger logs a line of what it did (only when it did something) and writes its figures to the statistics bucket',
		},
		{
			displayName: 'Retry Delay (Seconds)',
			name: 'retryDelay',
			type: 'number',
			default: 5,
			typeOptions: { minValue: 0.05, numberPrecision: 2 },
			description:
				'Wait before the first retry of a failed execution; it doubles on each retry (with a little randomness). Unused when the consumer has a backoff list.',
		},
	],
};

/** When a message counts as processed: shared by every trigger reading a stream. */
export const ackModeFields: INodeProperties[] = [
	{
		displayName: 'Acknowledge',
		name: 'ackMode',
		type: 'options',
		default: 'executionSucceeds',
		description: 'When a message counts as processed. Until then it stays in the stream and is retried after a failure.',
		options: [
			{
				name: 'When Execution Succeeds',
				value: 'executionSucceeds',
				description: 'A failed execution retries the message later (at least once)',
			},
			{
				name: 'When Execution Finishes',
				value: 'executionFinishes',
				description: 'Success or failure: the message is done once the execution ends',
			},
			{
				name: 'Immediately',
				value: 'immediately',
				description: 'Before the workflow runs: a failed or crashed execution loses the message (at most once)',
			},
			{
				name: 'Later in the Workflow',
				value: 'later',
				description: 'A JetStream node (Message → Acknowledge) answers with the item\'s ackToken field; the message of an execution that ends without that answer is delivered again',
			},
		],
	},
	{
		displayName:
			'Add a JetStream node with the "Acknowledge" operation and pass it {{ $json.ackToken }}. An execution that ends without acknowledging gets its message delivered again.',
		name: 'laterNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { ackMode: ['later'] } },
	},
];

export const properties: INodeProperties[] = [
	streamLocator({ description: 'The stream that stores the messages' }),
	...createStreamFields,
	{
		displayName: 'Consumer',
		name: 'consumerMode',
		type: 'options',
		// Two Durable Name fields hang on this choice; an expression here would show both.
		noDataExpression: true,
		default: 'createOrUpdate',
		description: 'A consumer remembers which messages were processed. Several n8n instances using the same one share the work.',
		options: [
			{
				name: 'Create or Update Consumer From These Settings',
				value: 'createOrUpdate',
				description: 'The trigger creates the consumer if missing and keeps its settings in line with this node',
			},
			{
				name: 'Bind to Existing Consumer',
				value: 'bind',
				description: 'Use a consumer an administrator created; needs no right to create streams or consumers',
			},
		],
	},
	// Both are pickers, so a typed name is checked while it is typed. Creating usually names a new
	// consumer (By Name first); binding names one that exists (the stream's consumers first).
	consumerLocator({
		name: 'durableName',
		displayName: 'Durable Name',
		description: 'Name of the consumer the trigger creates, or updates to these settings when it exists (letters, digits, - and _)',
		defaultMode: 'name',
		displayOptions: { show: { consumerMode: ['createOrUpdate'] } },
	}),
	consumerLocator({
		name: 'durableName',
		displayName: 'Durable Name',
		description: 'The consumer an administrator created on the stream',
		displayOptions: { show: { consumerMode: ['bind'] } },
	}),
	...selectionFields,
	replayNotice,
	...ackModeFields,
	consumerOptions,
	...featureFields,
	options,
];
