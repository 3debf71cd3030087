import type { Resource } from '../types';
import { createKeyOperation } from './create.operation';
import { createBucketOperation } from './createBucket.operation';
import { deleteKeyOperation } from './delete.operation';
import { deleteBucketOperation } from './deleteBucket.operation';
import { upsertBucketOperation } from './upsertBucket.operation';
import { getKeyOperation } from './get.operation';
import { getBucketOperation } from './getBucket.operation';
import { historyOperation } from './history.operation';
import { getManyBucketsOperation } from './getAllBuckets.operation';
import { getManyKeysOperation } from './getAllKeys.operation';
import { purgeKeyOperation } from './purge.operation';
import { setKeyOperation } from './set.operation';
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
		upsertBucketOperation,
		getBucketOperation,
		getKeyOperation,
		historyOperation,
		getManyBucketsOperation,
		getManyKeysOperation,
		purgeKeyOperation,
		setKeyOperation,
		updateKeyOperation,
	],
};
