import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readLimit, returnAllFields } from '../returnAll';
import type { Operation } from '../types';
import { bucketField, objectContext, readBucket, readOptions } from './fields';
import { objectToJson } from './objectJson';
import { onObjects } from './objErrors';

const properties: INodeProperties[] = [
	bucketField,
	...returnAllFields,
	{
		displayName: 'Options',
		name: 'objListOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Include Deleted',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				description: 'Whether deleted objects are listed too (with deleted: true and size 0)',
			},
		],
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject[]> => {
			const bucket = readBucket(this, i);
			const limit = readLimit(this, i);
			const includeDeleted = readOptions(this, 'objListOptions', i).includeDeleted === true;
			const objects = await onObjects(bucket, undefined, () => store.list(bucket, includeDeleted));
			return objects.slice(0, limit).map(objectToJson);
		},
		(i) => objectContext(this, i),
	);
}

export const getManyObjectsOperation: Operation = {
	name: 'Get Many Objects',
	value: 'getAll',
	action: 'Get many objects in a bucket',
	description: 'One item per object with its info (no content); deleted objects are left out unless asked for',
	properties,
	execute,
};
