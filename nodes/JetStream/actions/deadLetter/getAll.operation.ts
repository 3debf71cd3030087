import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listDeadLetters } from '../../../shared/deadLetter';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readLimit, returnAllFields } from '../returnAll';
import type { Operation } from '../types';
import { dlqStreamField, filterField, readDlqStream, readFilter } from './fields';
import { recordToJson } from './recordJson';

const properties: INodeProperties[] = [
	dlqStreamField,
	...returnAllFields,
	filterField,
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return forEachItem(
		this,
		items,
		async (i) => {
			const stream = readDlqStream(this, i, client.credentials);
			const limit = readLimit(this, i);
			// listDeadLetters reads 0 as "no limit".
			const records = await listDeadLetters(client, stream, readFilter(this, i), Number.isFinite(limit) ? limit : 0);
			return records.map((record) => recordToJson(record, client.credentials.encryptionKeys));
		},
		(i) => ({ stream: readDlqStream(this, i) }),
	);
}

export const getManyDeadLettersOperation: Operation = {
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many dead letters',
	description: 'Read failed messages in the dead-letter queue, oldest first, without removing them',
	properties,
	execute,
};
