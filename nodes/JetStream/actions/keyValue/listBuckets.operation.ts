import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketInfoToJson } from './entryJson';
import { KvSession } from './kvSession';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(this, items, async () => (await session.list()).map(bucketInfoToJson));
}

export const listBucketsOperation: Operation = {
	name: 'List Buckets',
	value: 'listBuckets',
	action: 'List key-value buckets',
	description: 'One item per bucket, with its settings and size',
	properties: [],
	execute,
};
