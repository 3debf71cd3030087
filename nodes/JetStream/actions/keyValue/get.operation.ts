import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { entryToJson } from './entryJson';
import { bucketField, keyField, readBucket, readKey, readOptions, readRevision, readValueFormat, valueFormatOption } from './fields';
import { keyMissing } from './kvErrors';
import { KvSession } from './kvSession';

/** Kept to bucket + key (+ options): an AI agent using the node as a tool only fills those two. */
const properties: INodeProperties[] = [
	bucketField,
	keyField,
	{
		displayName: 'Options',
		name: 'kvGetOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Output Item If Missing',
				name: 'outputIfMissing',
				type: 'boolean',
				default: false,
				description: 'Whether a missing or deleted key gives an item with found: false instead of an error',
			},
			{
				displayName: 'Revision',
				name: 'revision',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Read this earlier revision of the key instead of the latest (the bucket must keep history). 0 = latest.',
			},
			valueFormatOption,
		],
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const session = new KvSession(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			const key = readKey(this, i);
			const options = readOptions(this, 'kvGetOptions', i);
			const format = readValueFormat(options);
			const revision = readRevision(options.revision, 'Revision');
			const entry = await session.use(bucket, key, (kv) => kv.get(key, revision > 0 ? { revision } : undefined));
			if (entry && entry.operation === 'PUT') return { found: true, ...entryToJson(entry, format) };
			// A deleted key still has an entry: the deletion marker.
			if (options.outputIfMissing === true) {
				return entry ? { found: false, bucket, key, revision: entry.revision, operation: entry.operation } : { found: false, bucket, key };
			}
			const at = revision > 0 ? ` at revision ${revision}` : '';
			throw keyMissing(bucket, key, entry ? ` (it was ${entry.operation === 'DEL' ? 'deleted' : 'purged'} at revision ${entry.revision})` : at);
		},
		(i) => ({ bucket: readBucket(this, i), key: readKey(this, i) }),
	);
}

export const getKeyOperation: Operation = {
	name: 'Get Key',
	value: 'get',
	action: 'Get a key\'s value',
	description: 'Read the value stored under a key, with its revision and when it was written',
	properties,
	execute,
};
