import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketInfoToJson } from './entryJson';
import { bucketField, readBucket } from './fields';
import { bucketMissing } from './kvErrors';
import { KvSession } from './kvSession';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			const info = await session.info(bucket);
			if (!info) throw bucketMissing(bucket);
			return bucketInfoToJson(info);
		},
		(i) => ({ bucket: readBucket(this, i) }),
	);
}

export const getBucketOperation: Operation = {
	name: 'Get Bucket',
	value: 'getBucket',
	action: 'Get a key-value bucket',
	description: 'Read a bucket\'s settings (history, TTL, limits) and how many values and bytes it holds',
	properties: [bucketField],
	execute,
};
