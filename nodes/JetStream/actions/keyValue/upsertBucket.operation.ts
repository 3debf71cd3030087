import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketSettingsFields } from './bucketFields';
import { checkBucketFeatures, diffBucket, readBucketSettings, updateFor } from './bucketSettings';
import { bucketInfoToJson } from './entryJson';
import { readBucket } from './fields';
import { KvSession } from './kvSession';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const settings = readBucketSettings(this, i);
			checkBucketFeatures(settings, client.serverVersion());
			const existing = await session.info(settings.bucket);
			if (!existing) {
				return { action: 'created', changes: [], ...bucketInfoToJson(await session.create(settings)) };
			}
			const changes = diffBucket(existing.config, settings);
			if (changes.length === 0) return { action: 'unchanged', changes: [], ...bucketInfoToJson(existing) };
			const updated = await session.update(settings.bucket, updateFor(existing.config, changes, settings));
			return { action: 'updated', changes: changes.map((c): IDataObject => ({ ...c })), ...bucketInfoToJson(updated) };
		},
		(i) => ({ bucket: readBucket(this, i) }),
	);
}

export const upsertBucketOperation: Operation = {
	name: 'Create or Update Bucket',
	value: 'upsertBucket',
	action: 'Create or update a key-value bucket',
	description: 'Create the bucket, or change an existing one to these settings; safe to run on every deployment and reports what changed',
	properties: bucketSettingsFields,
	execute,
};
