import type { Resource } from '../types';
import { createKeyOperation } from './create.operation';
import { createBucketOperation } from './createBucket.operation';
import { deleteKeyOperation } from './delete.operation';
import { deleteBucketOperation } from './deleteBucket.operation';
import { ensureBucketOperation } from './ensureBucket.operation';
import { getKeyOperation } from './get.operation';
import { getBucketOperation } from './getBucket.operation';
import { historyOperation } from './history.operation';
import { listBucketsOperation } from './listBuckets.operation';
import { listKeysOperation } from './listKeys.operation';
import { purgeKeyOperation } from './purge.operation';
import { putKeyOperation } from './put.operation';
import { updateKeyOperation } from './update.operation';

export const keyValueResource: Resource = {
	name: 'Key-Value',
	value: 'keyValue',
	description: 'Store and read small values by key (configuration, state, locks) in JetStream Key-Value buckets',
	defaultOperation: 'get',
	// Alphabetical, as n8n lists operations.
	operations: [
		createBucketOperation,
		createKeyOperation,
		deleteBucketOperation,
		deleteKeyOperation,
		ensureBucketOperation,
		getBucketOperation,
		getKeyOperation,
		historyOperation,
		listBucketsOperation,
		listKeysOperation,
		purgeKeyOperation,
		putKeyOperation,
		updateKeyOperation,
	],
};
