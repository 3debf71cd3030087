import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { JetStreamNodeError } from '../../../shared/errors';
import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketInfoToJson, bucketSettingsFields, checkBucketFeatures, diffBucket, readBucketSettings, type BucketChange } from './bucketSettings';
import { objectContext } from './fields';
import { onObjects } from './objErrors';

function describeChanges(changes: BucketChange[]): string {
	return changes.map((c) => `${c.setting} is ${JSON.stringify(c.from)}, not ${JSON.stringify(c.to)}`).join('; ');
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const settings = readBucketSettings(this, i);
			checkBucketFeatures(settings, client.serverVersion());
			const existing = await onObjects(settings.bucket, undefined, () => store.bucketInfo(settings.bucket));
			if (!existing) return { action: 'created', ...bucketInfoToJson(await onObjects(settings.bucket, undefined, () => store.createBucket(settings)), true) };
			// Running the same workflow twice is fine; silently keeping other settings is not.
			const changes = diffBucket(existing.config, settings);
			if (changes.length > 0) {
				throw new JetStreamNodeError('conflict', `Object store bucket "${settings.bucket}" already exists with other settings: ${describeChanges(changes)}`, {
					hint: 'Use the bucket as it is (Get Bucket shows its settings), or delete it and create it again with these settings (its objects are lost)',
				});
			}
			return { action: 'unchanged', ...bucketInfoToJson(existing, true) };
		},
		(i) => objectContext(this, i),
	);
}

export const createBucketOperation: Operation = {
	name: 'Create Bucket',
	value: 'createBucket',
	action: 'Create an object store bucket',
	description: 'Create a bucket to store files in; does nothing when it already exists with the same settings',
	properties: bucketSettingsFields,
	execute,
};
