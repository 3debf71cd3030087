import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketField, objectContext, readBucket } from './fields';
import { onObjects } from './objErrors';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			await onObjects(bucket, undefined, () => store.deleteBucket(bucket));
			return { bucket, deleted: true };
		},
		(i) => objectContext(this, i),
	);
}

export const deleteBucketOperation: Operation = {
	name: 'Delete Bucket',
	value: 'deleteBucket',
	action: 'Delete an object store bucket',
	description: 'Delete a bucket with all its files. This cannot be undone.',
	properties: [bucketField],
	execute,
};
