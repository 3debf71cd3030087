import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { kvFlowControl, untilRefused, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readLimit, returnAllFields, takeUpTo } from '../returnAll';
import type { Operation } from '../types';
import { bucketField, readBucket } from './fields';
import { validateKvKeyFilter } from '../../../shared/keyValue/keyRules';
import { KvSession } from './kvSession';

const properties: INodeProperties[] = [
	bucketField,
	{
		displayName: 'Key Filter',
		name: 'kvKeyFilter',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.*',
		description:
			'Only keys matching this pattern: * stands for one part between dots (orders.* matches orders.1 but not orders.1.items), > for everything below (orders.>). Empty lists all keys.',
	},
	...returnAllFields,
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject[]> => {
			const bucket = readBucket(this, i);
			const filter = validateKvKeyFilter(this.getNodeParameter('kvKeyFilter', i, ''));
			const limit = readLimit(this, i);
			const keys = await session.use(bucket, undefined, async (kv) =>
				takeUpTo(untilRefused(client.nc, await kv.keys(filter), kvFlowControl(bucket)), limit),
			);
			return keys.map((key) => ({ bucket, key }));
		},
		(i) => ({ bucket: readBucket(this, i) }),
	);
}

export const getManyKeysOperation: Operation = {
	name: 'Get Many Keys',
	value: 'getAllKeys',
	action: 'Get many keys in a bucket',
	description: 'One item per key that has a value (deleted keys are left out), optionally only keys matching a filter',
	properties,
	execute,
};
