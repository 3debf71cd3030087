import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { requestReply, type NatsClient } from '../../../shared/transport';
import { validateInteger, validatePublishSubject } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { attachBinaries, bodyFormatField, bodyOutput, type BodyFormat } from './bodyOutput';
import { subjectField } from './fields';
import { headersField, readHeaders } from './headers';
import { payloadFields, readPayload } from './payload';

const properties: INodeProperties[] = [
	{ ...subjectField, description: 'The subject a service (or another workflow) answers on, e.g. pricing.quote' },
	...payloadFields,
	headersField,
	{
		displayName: 'Timeout (Ms)',
		name: 'requestTimeoutMs',
		type: 'number',
		default: 5000,
		typeOptions: { minValue: 1 },
		description: 'How long to wait for the reply',
	},
	bodyFormatField('replyFormat'),
];

/** Core NATS request/reply, one request per item; the reply becomes the output item. */
async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const subjectOf = (i: number) => String(this.getNodeParameter('subject', i, ''));
	const binaries: Array<INodeExecutionData['binary']> = [];
	const out = await forEachItem(
		this,
		items,
		async (i) => {
			const subject = validatePublishSubject(subjectOf(i));
			const timeoutMs = validateInteger(this.getNodeParameter('requestTimeoutMs', i, 5000), 'Timeout (Ms)', 1, 600_000);
			const payload = await readPayload(this, i, items[i]);
			const reply = await requestReply(client, subject, payload.data, readHeaders(this, i), timeoutMs);
			const body = await bodyOutput(this, reply.data, this.getNodeParameter('replyFormat', i, 'auto') as BodyFormat);
			binaries[i] = body.binary;
			return { subject, ...body.json, headers: reply.headers };
		},
		(i) => ({ subject: subjectOf(i), timeoutMs: Number(this.getNodeParameter('requestTimeoutMs', i, 5000)) }),
	);
	return attachBinaries(out, binaries);
}

export const requestMessage: Operation = {
	name: 'Request',
	value: 'request',
	action: 'Send a request and wait for the reply',
	description: 'Send each item as a request (core NATS, not stored) and output the reply',
	properties,
	execute,
};
