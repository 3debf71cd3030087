import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { kvFlowControl, untilRefused, type NatsClient } from '../../../shared/transport';
import { validateInteger } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketField, readBucket } from './fields';
import { validateKvKeyFilter } from './keyRules';
import { KvSession } from './kvSession';

const properties: INodeProperties[] = [
	bucketField,
	{
		displayName: 'Key Filter',
		name: 'kvKeyFilter',
		type: 'string',
		default: '',
		placeholder: 'orders.*',
		description:
			'Only keys matching this pattern: * stands for one part between dots (orders.* matches orders.1 but not orders.1.items), > for everything below (orders.>). Empty lists all keys.',
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject[]> => {
			const bucket = readBucket(this, i);
			const filter = validateKvKeyFilter(this.getNodeParameter('kvKeyFilter', i, ''));
			const returnAll = this.getNodeParameter('returnAll', i, false) === true;
			const limit = returnAll ? Infinity : validateInteger(this.getNodeParameter('limit', i, 50), 'Limit', 1);
			const keys = await session.use(bucket, undefined, async (kv) => {
				const found: string[] = [];
				// Breaking out of the loop stops the server-side listing.
				for await (const key of untilRefused(client.nc, await kv.keys(filter), kvFlowControl(bucket))) {
					found.push(key);
					if (found.length >= limit) break;
				}
				return found;
			});
			return keys.map((key) => ({ bucket, key }));
		},
		(i) => ({ bucket: readBucket(this, i) }),
	);
}

export const listKeysOperation: Operation = {
	name: 'List Keys',
	value: 'listKeys',
	action: 'List keys in a bucket',
	description: 'One item per key that has a value (deleted keys are left out), optionally only keys matching a filter',
	properties,
	execute,
};
