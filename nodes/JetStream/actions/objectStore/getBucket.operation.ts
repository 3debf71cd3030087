import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketInfoToJson } from './bucketSettings';
import { bucketField, objectContext, readBucket } from './fields';
import { bucketMissing, onObjects } from './objErrors';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			const info = await onObjects(bucket, undefined, () => store.bucketInfo(bucket));
			if (!info) throw bucketMissing(bucket);
			return bucketInfoToJson(info, true);
		},
		(i) => objectContext(this, i),
	);
}

export const getBucketOperation: Operation = {
	name: 'Get Bucket',
	value: 'getBucket',
	action: 'Get an object store bucket',
	description: 'Read a bucket\'s settings (size limit, TTL, storage) and how many objects and bytes it holds',
	properties: [bucketField],
	execute,
};
