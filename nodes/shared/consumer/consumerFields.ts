import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { parseBackoff, type ConsumerSettings, type DeliverPolicyName } from './consumerSettings';
import { InvalidParameterError } from '../errors';
import { validateLimit } from '../validation';

/**
 * The UI fields of a durable consumer's settings and the reader that turns them into
 * `ConsumerSettings` — shared by the JetStream Trigger (create or update its consumer) and the
 * JetStream node's Consumer resource, so both say the same thing the same way.
 */

type Shown = (extra?: IDisplayOptions['show']) => IDisplayOptions | undefined;

function showing(shown?: IDisplayOptions): Shown {
	return (extra) => (shown || extra ? { ...shown, show: { ...shown?.show, ...extra } } : undefined);
}

/** Every consumer setting, in the order the Consumer resource shows them. */
export function consumerSettingFields(): INodeProperties[] {
	return [...consumerSelectionFields(undefined, 'all'), ...consumerTuningFields()];
}

/** Which messages the consumer reads: its filter and where a new consumer starts. */
export function consumerSelectionFields(shown: IDisplayOptions | undefined, deliverPolicyDefault: DeliverPolicyName): INodeProperties[] {
	const withShown = showing(shown);
	return [
	{
		displayName: 'Filter Subjects',
		name: 'filterSubjects',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.created, orders.updated',
		displayOptions: withShown(),
		description:
			'Only messages on these subjects start the workflow. Use * for one token and > for the rest (orders.>). Leave empty for every message in the stream. Several subjects need NATS server 2.10+.',
	},
	{
		displayName: 'Deliver Policy',
		name: 'deliverPolicy',
		type: 'options',
		default: deliverPolicyDefault,
		displayOptions: withShown(),
		description: 'Where a new consumer starts reading. Ignored once the consumer exists: it then continues where it stopped.',
		options: [
			{ name: 'All', value: 'all', description: 'Every message still in the stream, oldest first' },
			{ name: 'From Sequence', value: 'byStartSequence', description: 'From a stream sequence number on' },
			{ name: 'From Time', value: 'byStartTime', description: 'Messages stored at or after a point in time' },
			{ name: 'Last', value: 'last', description: 'The newest message in the stream, then new ones' },
			{ name: 'Last per Subject', value: 'lastPerSubject', description: 'The newest message of each subject, then new ones' },
			{ name: 'New', value: 'new', description: 'Only messages published after the consumer was created' },
		],
	},
	{
		displayName: 'Start Sequence',
		name: 'startSequence',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		displayOptions: withShown({ deliverPolicy: ['byStartSequence'] }),
		description: 'The stream sequence number of the first message to read',
	},
	{
		displayName: 'Start Time',
		name: 'startTime',
		type: 'dateTime',
		default: '',
		displayOptions: withShown({ deliverPolicy: ['byStartTime'] }),
		description: 'Read messages stored at or after this time',
	},
];
}

/** How the consumer retries and paces: ack wait, max deliver, backoff, max ack pending. */
export function consumerTuningFields(): INodeProperties[] {
	return [
	{
		displayName: 'Ack Wait (Seconds)',
		name: 'ackWaitSeconds',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 1 },
		description:
			'How long the server waits for an answer before delivering a message again. Long executions are kept alive automatically.',
	},
	{
		displayName: 'Max Deliver',
		name: 'maxDeliver',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0 },
		description: 'How many times a message is tried before the server gives up on it; 0 = no limit (tried for ever)',
	},
	{
		displayName: 'Backoff (Seconds)',
		name: 'backoff',
		type: 'string',
		default: '',
		placeholder: 'e.g. 5, 30, 120',
		description:
			'Waits before each retry, comma-separated; the last one repeats. Max Deliver must be greater than the number of waits. Empty: the trigger doubles the "Retry Delay" option.',
	},
	{
		displayName: 'Max Ack Pending',
		name: 'maxAckPending',
		type: 'number',
		default: 1000,
		typeOptions: { minValue: 0 },
		description: 'How many messages may be delivered and not yet answered, across all n8n instances; 0 = no limit',
	},
	{
		displayName: 'One Active Reader: Failover After (Seconds)',
		name: 'failoverAfter',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: 3600 },
		description:
			'0 = off: every n8n instance reading this consumer shares its messages. Above 0 (NATS server 2.11+): only one reader at a time receives messages; when it stops asking for this long (stopped, crashed, cut off), another takes over — at once when it is closed normally.',
		hint: 'For strict order also set Parallel Executions to 1. The server keeps this setting once made: to turn it off, delete the consumer or use a new name.',
	},
];
}

/** The names of the fields `consumerTuningFields` makes (the trigger keeps them in a collection). */
export const CONSUMER_TUNING_NAMES: readonly string[] = consumerTuningFields().map((field) => field.name);

const DELIVER_POLICIES: DeliverPolicyName[] = ['all', 'new', 'last', 'lastPerSubject', 'byStartSequence', 'byStartTime'];

function numberOf(value: unknown, field: string): number {
	const n = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(n)) throw new InvalidParameterError(field, `"${field}" must be a number, not "${String(value)}"`);
	return n;
}

/** "a.b, c.>" → ["a.b", "c.>"]: the comma-separated subject fields. */
export function splitSubjects(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

/** Reads the fields above; `get(name, fallback)` is n8n's getNodeParameter for one item (or the trigger). */
export function readConsumerSettings(
	get: (name: string, fallback: unknown) => unknown,
	durableName: string,
	description?: string,
	deliverPolicyDefault: DeliverPolicyName = 'all',
): ConsumerSettings {
	const deliverPolicy = get('deliverPolicy', deliverPolicyDefault) as DeliverPolicyName;
	if (!DELIVER_POLICIES.includes(deliverPolicy)) {
		throw new InvalidParameterError('Deliver Policy', `"Deliver Policy" cannot be "${String(deliverPolicy)}"`, `Choose one of: ${DELIVER_POLICIES.join(', ')}`);
	}
	const settings: ConsumerSettings = {
		durableName,
		filterSubjects: splitSubjects(get('filterSubjects', '')),
		deliverPolicy,
		ackWaitSeconds: numberOf(get('ackWaitSeconds', 30), 'Ack Wait'),
		maxDeliver: validateLimit(get('maxDeliver', 5), 'Max Deliver'),
		backoffSeconds: parseBackoff(String(get('backoff', '') ?? ''), 'Backoff'),
		maxAckPending: validateLimit(get('maxAckPending', 1000), 'Max Ack Pending'),
		failoverAfterSeconds: numberOf(get('failoverAfter', 0), 'One Active Reader: Failover After'),
		description,
	};
	if (deliverPolicy === 'byStartSequence') settings.startSequence = numberOf(get('startSequence', 1), 'Start Sequence');
	if (deliverPolicy === 'byStartTime') settings.startTime = String(get('startTime', ''));
	return settings;
}
