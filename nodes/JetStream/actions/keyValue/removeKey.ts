import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { bucketField, expectedRevisionOption, keyField, readBucket, readKey, readOptions, readRevision } from './fields';
import { actualRevision, isRevisionConflict, revisionConflict } from './kvErrors';
import { KvSession } from './kvSession';

/** Delete and Purge: the same fields, the same revision condition; only what stays behind differs. */

export const removeKeyProperties: INodeProperties[] = [
	bucketField,
	keyField,
	{
		displayName: 'Options',
		name: 'kvDeleteOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [expectedRevisionOption],
	},
];

export function runRemoves(
	fn: IExecuteFunctions,
	client: NatsClient,
	items: INodeExecutionData[],
	operation: 'DEL' | 'PURGE',
): Promise<INodeExecutionData[]> {
	const session = new KvSession(client);
	return forEachItem(
		fn,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(fn, i);
			const key = readKey(fn, i);
			const expected = readRevision(readOptions(fn, 'kvDeleteOptions', i).expectedRevision, 'Expected Revision');
			const options = expected > 0 ? { previousSeq: expected } : undefined;
			await session.use(bucket, key, async (kv) => {
				try {
					await (operation === 'DEL' ? kv.delete(key, options) : kv.purge(key, options));
				} catch (error) {
					throw expected > 0 && isRevisionConflict(error) ? revisionConflict(bucket, key, expected, actualRevision(error), error) : error;
				}
			});
			return { bucket, key, operation, [operation === 'DEL' ? 'deleted' : 'purged']: true };
		},
		(i) => ({ bucket: readBucket(fn, i), key: readKey(fn, i) }),
	);
}
