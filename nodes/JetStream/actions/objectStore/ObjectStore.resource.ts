import type { Resource } from '../types';
import { createBucketOperation } from './createBucket.operation';
import { deleteObjectOperation } from './delete.operation';
import { deleteBucketOperation } from './deleteBucket.operation';
import { downloadObjectOperation } from './download.operation';
import { getObjectOperation } from './get.operation';
import { getManyObjectsOperation } from './getAll.operation';
import { getManyBucketsOperation } from './getAllBuckets.operation';
import { getBucketOperation } from './getBucket.operation';
import { linkOperation } from './link.operation';
import { uploadObjectOperation } from './upload.operation';

export const objectStoreResource: Resource = {
	name: 'Object Store',
	value: 'objectStore',
	description: 'Store and read files of any size (documents, images, exports) in JetStream Object Store buckets',
	defaultOperation: 'download',
	// Alphabetical, as n8n lists operations.
	operations: [
		createBucketOperation,
		deleteBucketOperation,
		deleteObjectOperation,
		downloadObjectOperation,
		getBucketOperation,
		getObjectOperation,
		getManyBucketsOperation,
		getManyObjectsOperation,
		linkOperation,
		uploadObjectOperation,
	],
};
