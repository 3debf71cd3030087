import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { requireServerVersion } from '../../../shared/serverVersion';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readBucket, readKey, readValue } from './fields';
import { actualRevision, isRevisionConflict, keyExists, revisionConflict } from './kvErrors';
import { KvSession } from './kvSession';

/**
 * The one write path behind Put, Create and Update: how the revision condition is expressed is
 * what tells them apart, and what a refused condition means to the user.
 */
export type WriteCondition =
	| { kind: 'none' }
	/** Only if the key does not exist (or was deleted); optional per-key TTL in seconds. */
	| { kind: 'absent'; ttlSeconds: number }
	/** Only if the key is still at this revision. */
	| { kind: 'revision'; expected: number };

export function runWrites(
	fn: IExecuteFunctions,
	client: NatsClient,
	items: INodeExecutionData[],
	condition: (itemIndex: number) => WriteCondition,
): Promise<INodeExecutionData[]> {
	const session = new KvSession(client);
	return forEachItem(
		fn,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(fn, i);
			const key = readKey(fn, i);
			const when = condition(i);
			if (when.kind === 'absent' && when.ttlSeconds > 0) {
				requireServerVersion(client.serverVersion(), '2.11.0', 'Key TTL (per-key expiry)');
			}
			const value = readValue(fn, i, items[i]);
			const revision = await session.use(bucket, key, async (kv) => {
				try {
					if (when.kind === 'absent') return await kv.create(key, value, when.ttlSeconds > 0 ? `${when.ttlSeconds}s` : undefined);
					if (when.kind === 'revision') return await kv.update(key, value, when.expected);
					return await kv.put(key, value);
				} catch (error) {
					throw conditionError(error, when, bucket, key);
				}
			});
			return { bucket, key, revision };
		},
		(i) => ({ bucket: readBucket(fn, i), key: readKey(fn, i) }),
	);
}

/** A refused revision condition in the user's terms; any other error unchanged. */
function conditionError(error: unknown, when: WriteCondition, bucket: string, key: string): unknown {
	if (!isRevisionConflict(error) || when.kind === 'none') return error;
	if (when.kind === 'absent') return keyExists(bucket, key, actualRevision(error), error);
	return revisionConflict(bucket, key, when.expected, actualRevision(error), error);
}
