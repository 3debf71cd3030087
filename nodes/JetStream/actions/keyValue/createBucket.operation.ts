import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { JetStreamNodeError } from '../../../shared/errors';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { newBucketSettingsFields } from './bucketFields';
import { checkBucketFeatures, diffBucket, readBucketSettings, type BucketChange } from './bucketSettings';
import { bucketInfoToJson } from './entryJson';
import { readBucket } from './fields';
import { KvSession } from './kvSession';

function describeChanges(changes: BucketChange[]): string {
	return changes.map((c) => `${c.setting} is ${JSON.stringify(c.from)}, not ${JSON.stringify(c.to)}`).join('; ');
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const settings = readBucketSettings(this, i);
			checkBucketFeatures(settings, client.serverVersion());
			const existing = await session.info(settings.bucket);
			if (!existing) return { action: 'created', ...bucketInfoToJson(await session.create(settings)) };
			// Running the same workflow twice is fine; silently keeping other settings is not.
			const changes = diffBucket(existing.config, settings);
			if (changes.length > 0) {
				throw new JetStreamNodeError('conflict', `Key-Value bucket "${settings.bucket}" already exists with other settings: ${describeChanges(changes)}`, {
					hint: 'Use Create or Update Bucket to change the existing bucket to these settings',
				});
			}
			return { action: 'unchanged', ...bucketInfoToJson(existing) };
		},
		(i) => ({ bucket: readBucket(this, i) }),
	);
}

export const createBucketOperation: Operation = {
	name: 'Create Bucket',
	value: 'createBucket',
	action: 'Create a key-value bucket',
	description: 'Create a bucket to store keys and values in; does nothing when it already exists with the same settings',
	properties: newBucketSettingsFields,
	execute,
};
