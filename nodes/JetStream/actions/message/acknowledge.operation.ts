import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { toNanos } from '../../../shared/units';
import { answerDelivery, type NatsClient } from '../../../shared/transport';
import { forEachItem, itemNumber } from '../perItem';
import type { Operation } from '../types';

/**
 * For the JetStream Trigger's "Later in the Workflow" mode: answers the delivered message through
 * its ack subject (the item's `ackToken`) on this node's own connection, and waits for the server's
 * confirmation, so the workflow only carries on once the acknowledgement has landed.
 */

type AckAction = 'ack' | 'nak' | 'term' | 'working';

const properties: INodeProperties[] = [
	{
		displayName: 'Ack Token',
		name: 'ackToken',
		type: 'string',
		default: '={{ $json.ackToken }}',
		required: true,
		description: 'The "ackToken" of the item from the JetStream Trigger (acknowledge mode "Later in the Workflow")',
	},
	{
		displayName: 'Answer',
		name: 'ackAction',
		type: 'options',
		default: 'ack',
		options: [
			{ name: 'Acknowledge', value: 'ack', description: 'The message is done; it will not be delivered again' },
			{ name: 'Retry Later (Nak)', value: 'nak', description: 'Deliver the message again after a delay' },
			{ name: 'Give Up (Term)', value: 'term', description: 'Never deliver it again (no dead-letter copy is made)' },
			{ name: 'Still Working', value: 'working', description: 'Restart the ack-wait timer for a long step' },
		],
	},
	{
		displayName: 'Retry Delay (Seconds)',
		name: 'nakDelaySeconds',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0 },
		description: 'How long before the message is delivered again (0 = at once)',
		displayOptions: { show: { ackAction: ['nak'] } },
	},
];

const ACK_SUBJECT = /^\$JS\.ACK\.[^\s*>]+$/;
const CONFIRM_TIMEOUT_MS = 5_000;

function protocolPayload(action: AckAction, delaySeconds: number): string {
	switch (action) {
		case 'nak':
			return delaySeconds > 0 ? `-NAK ${JSON.stringify({ delay: toNanos(delaySeconds) })}` : '-NAK';
		case 'term':
			return '+TERM';
		case 'working':
			return '+WPI';
		default:
			return '+ACK';
	}
}

function readToken(fn: IExecuteFunctions, i: number): string {
	const token = String(fn.getNodeParameter('ackToken', i, '') ?? '').trim();
	if (!ACK_SUBJECT.test(token)) {
		throw new InvalidParameterError(
			'ackToken',
			token ? `"${token.slice(0, 60)}" is not an ack token` : `Item ${itemNumber(i)} has no ack token`,
			'Connect this node after a JetStream Trigger whose "Acknowledge" option is "Later in the Workflow", and pass {{ $json.ackToken }}',
		);
	}
	return token;
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (i) => {
		const token = readToken(this, i);
		const action = this.getNodeParameter('ackAction', i, 'ack') as AckAction;
		const delay = Number(this.getNodeParameter('nakDelaySeconds', i, 5));
		await answerDelivery(client, token, protocolPayload(action, delay), CONFIRM_TIMEOUT_MS);
		return { ...items[i].json, acknowledged: action };
	});
}

export const acknowledgeMessage: Operation = {
	name: 'Acknowledge',
	value: 'acknowledge',
	action: 'Acknowledge a trigger message',
	description: 'Answer a message from the JetStream Trigger: acknowledge, retry later, give up, or keep it alive',
	properties,
	execute,
};
