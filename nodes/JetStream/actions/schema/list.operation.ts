import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { openRegistry, registryBucketField } from './fields';

export const listSchemas: Operation = {
	name: 'List',
	value: 'list',
	action: 'List schemas',
	description: 'Every schema name with its versions and compatibility mode, one item each',
	properties: [registryBucketField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i): Promise<IDataObject[]> => (await (await openRegistry(this, client, i)).list()) as unknown as IDataObject[]);
	},
};
