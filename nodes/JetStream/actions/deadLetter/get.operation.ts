import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { peekDeadLetter } from '../../../shared/deadLetter';
import { JetStreamNodeError } from '../../../shared/errors';
import type { NatsClient } from '../../../shared/transport';
import { validateInteger } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { dlqStreamField, readDlqStream } from './fields';
import { recordToJson } from './recordJson';

const properties: INodeProperties[] = [
	dlqStreamField,
	{
		displayName: 'Sequence',
		name: 'sequence',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		required: true,
		description: 'Position of the dead letter in the dead-letter stream (the "dlqSequence" that List returns)',
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return forEachItem(
		this,
		items,
		async (i) => {
			const stream = readDlqStream(this, i, client.credentials);
			const sequence = validateInteger(this.getNodeParameter('sequence', i), 'Sequence', 1);
			const record = await peekDeadLetter(client, stream, sequence);
			if (!record) {
				throw new JetStreamNodeError('not-found', `Dead-letter stream "${stream}" has no message with sequence ${sequence}`, {
					hint: 'It may have been redriven or purged already; use "Get Many" to see what is there',
				});
			}
			return recordToJson(record, client.credentials.encryptionKeys);
		},
		(i) => ({ stream: readDlqStream(this, i) }),
	);
}

export const getDeadLetterOperation: Operation = {
	name: 'Get',
	value: 'get',
	action: 'Get a dead letter',
	description: 'Read one dead letter by its sequence, without removing it',
	properties,
	execute,
};
