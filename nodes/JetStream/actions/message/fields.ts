import type { INodeProperties } from 'n8n-workflow';

/** Fields shared by several Message operations. */

export const subjectField: INodeProperties = {
	displayName: 'Subject',
	name: 'subject',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. orders.created',
	description: 'Where the message goes: words separated by dots, no spaces or wildcards. A stream must capture it to store it.',
};

export const idempotencyKeyField: INodeProperties = {
	displayName: 'Idempotency Key',
	name: 'idempotencyKey',
	type: 'string',
	default: '',
	// A placeholder is shown as it is: no "=" (n8n's mark of an expression), and a path of the input item.
	placeholder: 'e.g. {{ $json.orderId }}',
	description:
		'An expression that gives the same value every time this event is sent: {{ $json.orderId }}, or {{ $json.payload.orderId }} for an item of a JetStream Trigger (its message is under payload). Sent as Nats-Msg-Id: JetStream stores a repeat within the stream\'s duplicate window only once and answers "duplicate: true".',
};
