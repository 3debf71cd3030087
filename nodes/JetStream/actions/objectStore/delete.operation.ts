import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketField, objectContext, objectNameField, readBucket, readObjectName } from './fields';
import { objectMissing, onObjects } from './objErrors';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			const name = readObjectName(this, i);
			const deleted = await onObjects(bucket, name, async () => {
				// nats.js marks a missing name deleted without complaint; say it was not there instead.
				const info = await store.info(bucket, name);
				if (!info || info.deleted) throw objectMissing(bucket, name, info ? ' (it was deleted before)' : '');
				return store.delete(bucket, name);
			});
			return { bucket, name, deleted };
		},
		(i) => objectContext(this, i),
	);
}

export const deleteObjectOperation: Operation = {
	name: 'Delete Object',
	value: 'delete',
	action: 'Delete an object',
	description: 'Delete an object\'s content; its entry stays as deleted (Get Many Objects with "Include Deleted" shows it). This cannot be undone.',
	properties: [bucketField, objectNameField],
	execute,
};
