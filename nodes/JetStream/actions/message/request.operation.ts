import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { applySender } from '../../../shared/audit/sender';
import { currentSender } from '../../../shared/n8n/sender';
import { requestReply, type NatsClient } from '../../../shared/transport';
import { validateNumber, validatePublishSubject } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { attachBinaries, bodyFormatField, bodyOutput, type BodyFormat } from './bodyOutput';
import { subjectField } from './fields';
import { headersField, readHeaders } from './headers';
import { payloadFields, readPayload } from './payload';
import { senderHeadersOption } from './publishOptions';

const properties: INodeProperties[] = [
	{ ...subjectField, description: 'The subject a service (or another workflow) answers on, e.g. pricing.quote' },
	...payloadFields,
	headersField,
	{
		displayName: 'Timeout (Seconds)',
		name: 'requestTimeout',
		type: 'number',
		default: 5,
		typeOptions: { minValue: 0.001, maxValue: 600, numberPrecision: 3 },
		description: 'How long to wait for the reply; fractions are fine (0.5 = half a second)',
	},
	bodyFormatField('replyFormat'),
	{
		displayName: 'Options',
		name: 'requestOptions',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [senderHeadersOption],
	},
];

/** "Add Sender Headers" (Options), on unless turned off. */
function wantsSenderHeaders(fn: IExecuteFunctions, i: number): boolean {
	const o = (fn.getNodeParameter('requestOptions', i, {}) ?? {}) as IDataObject;
	return o.senderHeaders !== false;
}

function readTimeoutMs(fn: IExecuteFunctions, i: number): number {
	return Math.round(validateNumber(fn.getNodeParameter('requestTimeout', i, 5), 'Timeout (Seconds)', 0.001, 600) * 1000);
}

/** Core NATS request/reply, one request per item; the reply becomes the output item. */
async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const subjectOf = (i: number) => String(this.getNodeParameter('subject', i, ''));
	const binaries: Array<INodeExecutionData['binary']> = [];
	const sender = currentSender(this);
	const out = await forEachItem(
		this,
		items,
		async (i) => {
			const subject = validatePublishSubject(subjectOf(i));
			const timeoutMs = readTimeoutMs(this, i);
			const payload = await readPayload(this, i, items[i]);
			const headers = readHeaders(this, i);
			if (wantsSenderHeaders(this, i)) applySender(headers, sender);
			const reply = await requestReply(client, subject, payload.data, headers, timeoutMs);
			const body = await bodyOutput(this, reply.data, this.getNodeParameter('replyFormat', i, 'auto') as BodyFormat);
			binaries[i] = body.binary;
			return { subject, ...body.json, headers: reply.headers };
		},
		(i) => ({ subject: subjectOf(i), timeoutMs: Number(this.getNodeParameter('requestTimeout', i, 5)) * 1000 }),
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
