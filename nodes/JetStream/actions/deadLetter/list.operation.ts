import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listDeadLetters } from '../../../shared/deadLetter';
import type { NatsClient } from '../../../shared/transport';
import { validateInteger } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { dlqStreamField, filterField, readDlqStream, readFilter } from './fields';
import { recordToJson } from './recordJson';

const properties: INodeProperties[] = [
	dlqStreamField,
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
	filterField,
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return forEachItem(
		this,
		items,
		async (i) => {
			const stream = readDlqStream(this, i);
			const limit = validateInteger(this.getNodeParameter('limit', i), 'Limit', 1, 10_000);
			const records = await listDeadLetters(client, stream, readFilter(this, i), limit);
			return records.map(recordToJson);
		},
		(i) => ({ stream: readDlqStream(this, i) }),
	);
}

export const listDeadLettersOperation: Operation = {
	name: 'List',
	value: 'list',
	action: 'List dead letters',
	description: 'Read failed messages in the dead-letter queue, oldest first, without removing them',
	properties,
	execute,
};
