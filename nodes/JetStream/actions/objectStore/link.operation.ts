import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { objectBucketLocator } from '../../../shared/n8n/locators';
import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketField, bucketParameter, objectContext, readBucket, readObjectName, validateObjectBucketName } from './fields';
import { objectToJson } from './objectJson';
import { bucketMissing, objectMissing, onObjects } from './objErrors';

const properties: INodeProperties[] = [
	bucketField,
	{
		displayName: 'Link Name',
		name: 'objName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. latest/report.pdf',
		description: 'The name of the link in the bucket: getting it gives the content of what it points to. No object may have this name yet.',
	},
	{
		displayName: 'Link To',
		name: 'objLinkTo',
		type: 'options',
		default: 'object',
		description: 'What the link points to',
		options: [
			{ name: 'An Object', value: 'object', description: 'One object, in this bucket or another' },
			{ name: 'A Whole Bucket', value: 'bucket', description: 'Another bucket as a whole (a reference; it has no content to get)' },
		],
	},
	objectBucketLocator({ name: 'objTargetBucket', displayName: 'Target Bucket', description: 'The bucket of the object (or the bucket) the link points to' }),
	{
		displayName: 'Target Object Name',
		name: 'objTargetName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. reports/2026-03.pdf',
		description: 'The object the link points to; it must exist and must not be a link itself',
		displayOptions: { show: { objLinkTo: ['object'] } },
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			const name = readObjectName(this, i, 'objName', 'Link Name');
			const targetBucket = validateObjectBucketName(bucketParameter(this, i, 'objTargetBucket'), 'Target Bucket');
			const toObject = this.getNodeParameter('objLinkTo', i, 'object') !== 'bucket';
			const target = toObject ? readObjectName(this, i, 'objTargetName', 'Target Object Name') : undefined;
			// The target is checked first, so that its errors name it, not the link's bucket.
			if (target !== undefined) {
				const found = await onObjects(targetBucket, target, () => store.info(targetBucket, target));
				if (!found || found.deleted) throw objectMissing(targetBucket, target, ' (the link target)');
			} else if (!(await onObjects(targetBucket, undefined, () => store.bucketInfo(targetBucket)))) {
				throw bucketMissing(targetBucket);
			}
			const linked = await onObjects(bucket, name, () => store.link(bucket, name, targetBucket, target));
			if (linked === 'target-missing') throw objectMissing(targetBucket, target ?? '', ' (the link target)');
			return objectToJson(linked);
		},
		(i) => objectContext(this, i),
	);
}

export const linkOperation: Operation = {
	name: 'Link',
	value: 'link',
	action: 'Link to an object or a bucket',
	description: 'Make a name that points to another object (getting it reads that object) or to a whole bucket',
	properties,
	execute,
};
