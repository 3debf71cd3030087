import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readLimit, returnAllFields } from '../returnAll';
import type { Operation } from '../types';
import { bucketInfoToJson } from './entryJson';
import { KvSession } from './kvSession';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(this, items, async (i) => (await session.list()).slice(0, readLimit(this, i)).map(bucketInfoToJson));
}

export const getManyBucketsOperation: Operation = {
	name: 'Get Many Buckets',
	value: 'getAllBuckets',
	action: 'Get many key-value buckets',
	description: 'One item per bucket, with its settings and size',
	properties: returnAllFields,
	execute,
};
