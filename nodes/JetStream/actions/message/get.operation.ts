import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { JetStreamNodeError } from '../../../shared/errors';
import { decryptPayload, EncryptionHeaders, isEncrypted } from '../../../shared/payload/crypto';
import { streamLocator } from '../../../shared/n8n/locators';
import { headerValue, readLastOnSubject, readStoredMessage, type NatsClient, type StoredMessage } from '../../../shared/transport';
import { validateInteger, validatePublishSubject, validateStreamName } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import { streamParameter } from '../stream/fields';
import type { Operation } from '../types';
import { attachBinaries, bodyFormatField, bodyOutput, type BodyFormat } from './bodyOutput';

const properties: INodeProperties[] = [
	streamLocator({ name: 'messageStream', description: 'The stream that stores the message' }),
	{
		displayName: 'Get By',
		name: 'getBy',
		type: 'options',
		default: 'sequence',
		options: [
			{ name: 'Sequence', value: 'sequence', description: 'The message with this stream sequence number' },
			{ name: 'Last on Subject', value: 'lastOnSubject', description: 'The newest message on a subject' },
		],
	},
	{
		displayName: 'Sequence',
		name: 'sequence',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		description: 'Stream sequence number, e.g. "streamSequence" from a JetStream Trigger item',
		displayOptions: { show: { getBy: ['sequence'] } },
	},
	{
		displayName: 'Subject',
		name: 'lastSubject',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.created',
		description: 'The subject whose newest message to read',
		displayOptions: { show: { getBy: ['lastOnSubject'] } },
	},
	bodyFormatField('messageFormat'),
];

async function fetchMessage(fn: IExecuteFunctions, client: NatsClient, i: number, stream: string): Promise<StoredMessage> {
	if (fn.getNodeParameter('getBy', i, 'sequence') === 'lastOnSubject') {
		const subject = validatePublishSubject(String(fn.getNodeParameter('lastSubject', i, '')));
		const msg = await readLastOnSubject(client, stream, subject);
		if (!msg) throw new JetStreamNodeError('not-found', `Stream "${stream}" has no message on subject "${subject}"`, { hint: 'Check the subject, or that the stream still keeps messages on it' });
		return msg;
	}
	const sequence = validateInteger(fn.getNodeParameter('sequence', i, 1), 'Sequence', 1);
	const msg = await readStoredMessage(client, stream, sequence);
	if (!msg) throw new JetStreamNodeError('not-found', `Stream "${stream}" has no message with sequence ${sequence}`, { hint: 'It was never stored, or was deleted, purged or aged out' });
	return msg;
}

/** Reads one stored message per item without consuming it. */
async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const streamOf = (i: number) => streamParameter(this, i, 'messageStream');
	const binaries: Array<INodeExecutionData['binary']> = [];
	const out = await forEachItem(
		this,
		items,
		async (i) => {
			const stream = validateStreamName(streamOf(i), 'Stream');
			const msg = await fetchMessage(this, client, i, stream);
			const format = this.getNodeParameter('messageFormat', i, 'auto') as BodyFormat;
			// An encrypted message is shown in clear text, or the item fails naming the key id it needs.
			const encryptedWith = isEncrypted(msg.headers) ? (headerValue(msg.headers, EncryptionHeaders.KeyId) ?? '') : null;
			const data = encryptedWith === null ? msg.data : decryptPayload(msg.subject, msg.data, msg.headers, client.credentials.encryptionKeys);
			const body = await bodyOutput(this, data, format, headerValue(msg.headers, 'content-type'));
			binaries[i] = body.binary;
			return { stream, sequence: msg.sequence, subject: msg.subject, time: msg.time, headers: msg.headers, encryptedWith, ...body.json };
		},
		(i) => ({ stream: streamOf(i) }),
	);
	return attachBinaries(out, binaries);
}

export const getMessage: Operation = {
	name: 'Get',
	value: 'get',
	action: 'Get a stored message',
	description: 'Read a message stored in a stream, by sequence or the last one on a subject, without consuming it',
	properties,
	execute,
};
