import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { removeKeyProperties, runRemoves } from './removeKey';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return runRemoves(this, client, items, 'PURGE');
}

export const purgeKeyOperation: Operation = {
	name: 'Purge Key',
	value: 'purge',
	action: 'Purge a key and its history',
	description: 'Delete a key together with all its earlier values, freeing their space',
	properties: removeKeyProperties,
	execute,
};
