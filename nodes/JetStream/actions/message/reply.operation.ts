import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { sendReplies, type NatsClient, type OutgoingMessage } from '../../../shared/transport';
import { forEachItem, itemNumber } from '../perItem';
import type { Operation } from '../types';
import { headersField, readHeaders } from './headers';
import { payloadFields, readPayload } from './payload';

/**
 * The answer of a workflow started by the NATS Request Trigger with "Reply With: Reply Node": sends
 * each item to its request's reply subject. In queue mode this is how a workflow answers (the
 * worker sends the reply; n8n does not hand a worker's output back to the trigger).
 */

const properties: INodeProperties[] = [
	{
		displayName: 'Reply To',
		name: 'replyTo',
		type: 'string',
		default: "={{ $('NATS Request Trigger').item.json.replyTo }}",
		required: true,
		description:
			'The reply subject of the request: the "replyTo" field of the NATS Request Trigger\'s item. Rename the node in the expression if your trigger has another name.',
	},
	...payloadFields,
	headersField,
];

const REPLY_SUBJECT = /^[^\s*>]+$/;

function replySubject(value: unknown, i: number): string {
	const subject = String(value ?? '').trim();
	if (!subject) {
		throw new InvalidParameterError(
			'replyTo',
			`"Reply To" is empty for item ${itemNumber(i)}`,
			'The request came without a reply subject (published, not requested), or the expression does not reach the NATS Request Trigger\'s item',
		);
	}
	if (!REPLY_SUBJECT.test(subject)) throw new InvalidParameterError('replyTo', `"Reply To" ("${subject}") is not a subject one can reply to`, 'Use the "replyTo" field of the NATS Request Trigger\'s item');
	return subject;
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const outgoing: OutgoingMessage[] = [];
	const out = await forEachItem(
		this,
		items,
		async (i) => {
			const subject = replySubject(this.getNodeParameter('replyTo', i, ''), i);
			const payload = await readPayload(this, i, items[i]);
			const headers = { 'Content-Type': payload.contentType, ...readHeaders(this, i) };
			outgoing.push({ subject, data: payload.data, headers });
			return { repliedTo: subject, bytes: payload.data.length };
		},
		(i) => ({ subject: String(this.getNodeParameter('replyTo', i, '')) }),
	);
	await sendReplies(client, outgoing);
	return out;
}

export const replyMessage: Operation = {
	name: 'Reply',
	value: 'reply',
	action: 'Reply to a request',
	description: 'Answer the request that started this workflow (NATS Request Trigger, Reply With: Reply Node)',
	properties,
	execute,
};
