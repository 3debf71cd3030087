import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readLimit, returnAllFields } from '../returnAll';
import type { Operation } from '../types';
import { openRegistry, registryBucketField } from './fields';

export const getManySchemas: Operation = {
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many schemas',
	description: 'Every schema name with its versions and compatibility mode, one item each',
	properties: [registryBucketField, ...returnAllFields],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i): Promise<IDataObject[]> => {
			const schemas = await (await openRegistry(this, client, i)).list();
			return schemas.slice(0, readLimit(this, i)) as unknown as IDataObject[];
		});
	},
};
