import type { INodeProperties } from 'n8n-workflow';

/** Fields shared by several Message operations. */

export const subjectField: INodeProperties = {
	displayName: 'Subject',
	name: 'subject',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'orders.created',
	description: 'Where the message goes: words separated by dots, no spaces or wildcards. A stream must capture it to store it.',
};

export const idempotencyKeyField: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	placeholder: '={{ $json.orderId }}',
	description:
		'A value that is the same every time this event is sent, e.g. {{ $json.orderId }}. Sent as Nats-Msg-Id: JetStream stores a repeat within the stream\'s duplicate window only once and answers "duplicate: true".',
};
