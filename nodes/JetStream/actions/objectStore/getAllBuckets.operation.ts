import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toNodeError } from '../../../shared/errorMapping';
import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readLimit, returnAllFields } from '../returnAll';
import type { Operation } from '../types';
import { bucketInfoToJson } from './bucketSettings';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(this, items, async (i) => {
		const limit = readLimit(this, i);
		const buckets = await store.listBuckets(limit).catch((error: unknown) => {
			throw toNodeError(error);
		});
		return buckets.map((info) => bucketInfoToJson(info));
	});
}

export const getManyBucketsOperation: Operation = {
	name: 'Get Many Buckets',
	value: 'getAllBuckets',
	action: 'Get many object store buckets',
	description: 'One item per bucket, with its settings and size',
	properties: returnAllFields,
	execute,
};
