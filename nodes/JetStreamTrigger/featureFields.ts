import type { INodeProperties } from 'n8n-workflow';

import { bucketLocator, deadLetterStreamLocator } from '../shared/n8n/locators';
import { schemaFields } from '../shared/schema';

/**
 * UI fields for dead-lettering and idempotency (read by featureSettings.ts). One name per feature: the
 * switch and the collection it opens say the same words ("Dead-Letter Queue" → "Dead-Letter Queue
 * Options", "Skip Duplicates by Key" → "Skip Duplicates Options"); the parameter names stay, so saved
 * workflows keep their values.
 */

export const deadLetterFields: INodeProperties[] = [
	{
		displayName: 'Dead-Letter Queue',
		name: 'deadLetter',
		type: 'boolean',
		default: true,
		description:
			'Whether to keep a copy of every message the trigger gives up on (not JSON, failed its schema, failed on every delivery, or marked permanent) in a dead-letter stream, where you can inspect and redrive it with the JetStream node',
	},
	{
		displayName: 'Dead-Letter Queue Options',
		name: 'deadLetterOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { deadLetter: [true] } },
		options: [
			{
				displayName: 'Create Dead-Letter Stream',
				name: 'createDeadLetterStream',
				type: 'boolean',
				default: true,
				description:
					'Whether to create the stream "DLQ" (file storage, subjects dlq.>) when no stream stores the dead-letter subject yet. Turn off if your NATS admin provides the stream and you have no right to create one.',
			},
			{
				displayName: 'Dead-Letter Retention (Days)',
				name: 'deadLetterRetentionDays',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 0 },
				description: 'How long a dead-letter stream created by this trigger keeps messages. 0 = for ever.',
			},
			deadLetterStreamLocator({
				name: 'deadLetterStream',
				required: false,
				description:
					'The stream that stores the dead letters. Empty: the trigger looks up which stream stores the dead-letter subject, which needs the right to list stream names; name the stream when your NATS admin gives this credential only the rights it needs.',
			}),
			{
				displayName: 'Dead-Letter Subject',
				name: 'deadLetterSubject',
				type: 'string',
				default: '',
				placeholder: 'e.g. dlq.orders.billing',
				description: 'Where the copies are published. Empty: dlq.<stream>.<consumer>.',
			},
			{
				displayName: 'Permanent Failure Marker',
				name: 'permanentFailureMarker',
				type: 'string',
				default: '[permanent]',
				description:
					'When an execution fails with an error message containing this text (e.g. a "Stop and Error" node saying "[permanent] unknown customer"), the message goes to the dead-letter stream at once instead of being retried. Empty = off.',
			},
			{
				displayName: 'Remove Fields From Copy',
				name: 'redactFields',
				type: 'string',
				default: '',
				placeholder: 'e.g. password, card.number',
				description: 'Comma-separated JSON fields left out of the dead-letter copy, e.g. personal or secret data',
			},
		],
	},
];

export const idempotencyFields: INodeProperties[] = [
	{
		displayName: 'Skip Duplicates by Key',
		name: 'idempotency',
		type: 'options',
		default: 'none',
		description:
			'Run the workflow once per key: a message whose key was already processed successfully is acknowledged and skipped, even after a restart or when several n8n instances read the same consumer',
		options: [
			{ name: 'Off', value: 'none', description: 'Every delivery runs the workflow' },
			{ name: 'Message ID Header (Nats-Msg-Id)', value: 'messageId', description: 'The key a JetStream publisher sets for deduplication' },
			{ name: 'Another Header', value: 'header', description: 'A header you name, e.g. X-Order-Id' },
			{ name: 'Payload Field', value: 'payloadField', description: 'A field of the JSON payload, e.g. orderId' },
		],
	},
	{
		displayName: 'Key Header',
		name: 'idempotencyHeader',
		type: 'string',
		default: '',
		placeholder: 'e.g. X-Order-Id',
		description: 'Header whose value identifies the message: its key',
		displayOptions: { show: { idempotency: ['header'] } },
	},
	{
		displayName: 'Key Field',
		name: 'idempotencyField',
		type: 'string',
		noDataExpression: true,
		default: '',
		// Read from the message's payload itself: orderId here is payload.orderId in the trigger's output item.
		placeholder: 'e.g. orderId',
		description:
			'Path of the field of the message\'s payload that identifies it (orderId or order.id; the output item has it under payload, but here the path starts inside the payload), or a template such as {{ $json.tenant }}:{{ $json.orderId }}, where $json is the payload',
		displayOptions: { show: { idempotency: ['payloadField'] } },
	},
	{
		displayName: 'Skip Duplicates Options',
		name: 'idempotencyOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { hide: { idempotency: ['none'] } },
		options: [
			{
				displayName: 'Claim Lease (Seconds)',
				name: 'idempotencyLeaseSeconds',
				type: 'number',
				default: 30,
				typeOptions: { minValue: 5 },
				description:
					'A key being processed is claimed for this long and the claim is renewed while its execution runs. If the n8n instance holding it stops, a copy of the message elsewhere waits at most this long before it may take the key over.',
			},
			{
				displayName: 'Create Bucket',
				name: 'createIdempotencyBucket',
				type: 'boolean',
				default: true,
				description: 'Whether to create the key-value bucket that remembers processed keys when it does not exist',
			},
			bucketLocator({
				name: 'idempotencyBucket',
				displayName: 'Key-Value Bucket',
				required: false,
				defaultMode: 'name',
				description: 'Bucket that remembers processed keys. Empty: n8n_processed_<stream>_<consumer>.',
			}),
			{
				displayName: 'Remember Keys For (Days)',
				name: 'idempotencyRetentionDays',
				type: 'number',
				default: 7,
				typeOptions: { minValue: 0.001, numberPrecision: 3 },
				description: 'How long a processed key is remembered (fractions allowed); a duplicate arriving later runs again',
			},
		],
	},
];

export const schemaCheckFields: INodeProperties[] = [
	...schemaFields('each message (a message whose Nats-Schema header names a registered version is checked against that version)'),
	{
		displayName: 'On Schema Violation',
		name: 'schemaViolation',
		type: 'options',
		default: 'deadLetter',
		displayOptions: { hide: { schemaSource: ['none'] } },
		options: [
			{ name: 'Dead-Letter the Message', value: 'deadLetter', description: 'The workflow does not run; the message goes to the dead-letter stream with reason schema-invalid' },
			{ name: 'Pass It On With the Violations', value: 'passOn', description: 'The workflow runs; the item carries "schemaViolations"' },
		],
	},
];

export const featureFields: INodeProperties[] = [...schemaCheckFields, ...deadLetterFields, ...idempotencyFields];
