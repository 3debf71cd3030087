import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { bucketField, objectContext, objectNameField, readBucket, readObjectName } from './fields';
import { objectToJson } from './objectJson';
import { objectMissing, onObjects } from './objErrors';

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			const name = readObjectName(this, i);
			const info = await onObjects(bucket, name, () => store.info(bucket, name));
			if (!info) throw objectMissing(bucket, name);
			// A deleted object keeps its entry (deleted: true); that is an answer, not an error.
			return objectToJson(info);
		},
		(i) => objectContext(this, i),
	);
}

export const getObjectOperation: Operation = {
	name: 'Get Object',
	value: 'get',
	action: 'Get an object\'s details',
	description: 'Read an object\'s name, size, chunks, SHA-256 digest, time, description, headers and link, without its content',
	properties: [bucketField, objectNameField],
	execute,
};
