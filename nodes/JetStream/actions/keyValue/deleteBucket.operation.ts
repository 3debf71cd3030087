import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketField, readBucket } from './fields';
import { KvSession } from './kvSession';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			await session.destroy(bucket);
			return { bucket, deleted: true };
		},
		(i) => ({ bucket: readBucket(this, i) }),
	);
}

export const deleteBucketOperation: Operation = {
	name: 'Delete Bucket',
	value: 'deleteBucket',
	action: 'Delete a key-value bucket',
	description: 'Delete a bucket with all its keys and their history. This cannot be undone.',
	properties: [bucketField],
	execute,
};
