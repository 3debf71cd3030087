import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { kvFlowControl, untilRefused, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { entryToJson } from './entryJson';
import { bucketField, keyField, readBucket, readKey, readOptions, readValueFormat, valueFormatOption } from './fields';
import { keyMissing } from './kvErrors';
import { KvSession } from './kvSession';

const properties: INodeProperties[] = [
	bucketField,
	keyField,
	{
		displayName: 'Options',
		name: 'kvHistoryOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [valueFormatOption],
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject[]> => {
			const bucket = readBucket(this, i);
			const key = readKey(this, i);
			const format = readValueFormat(readOptions(this, 'kvHistoryOptions', i));
			const entries = await session.use(bucket, key, async (kv) => {
				const out: IDataObject[] = [];
				for await (const entry of untilRefused(client.nc, await kv.history({ key }), kvFlowControl(bucket))) out.push(entryToJson(entry, format));
				return out;
			});
			if (entries.length === 0) throw keyMissing(bucket, key, ' (it has no history)');
			return entries;
		},
		(i) => ({ bucket: readBucket(this, i), key: readKey(this, i) }),
	);
}

export const historyOperation: Operation = {
	name: 'Get Key History',
	value: 'history',
	action: 'Get the history of a key',
	description: 'One item per stored revision of a key, oldest first, including deletions; the bucket\'s History setting says how many are kept',
	properties,
	execute,
};
