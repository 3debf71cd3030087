import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { removeKeyProperties, runRemoves } from './removeKey';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return runRemoves(this, client, items, 'DEL');
}

export const deleteKeyOperation: Operation = {
	name: 'Delete Key',
	value: 'delete',
	action: 'Delete a key',
	description: 'Delete a key; its earlier values stay in the history (use Purge Key to remove them too)',
	properties: removeKeyProperties,
	execute,
};
