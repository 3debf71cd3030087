import type { StreamConfig } from '@nats-io/jetstream';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { JetStreamNodeError } from '../../../shared/errors';
import { toNodeError } from '../../../shared/errorMapping';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { streamParameter } from './fields';
import { streamChanges } from './streamDiff';
import { streamInfoToJson } from './streamJson';
import { readStreamConfig } from './streamSettings';

/** Create, Update and Create or Update differ only in what they do when the stream exists or not. */
export type WriteMode = 'create' | 'update' | 'upsert';

export function writeStreams(fn: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[], mode: WriteMode): Promise<INodeExecutionData[]> {
	return forEachItem(
		fn,
		items,
		async (i): Promise<IDataObject> => {
			const wanted = readStreamConfig(fn, i, mode !== 'update');
			const jsm = await client.jsm();
			const existing = mode === 'create' ? undefined : await jsm.streams.info(wanted.name).catch((error: unknown) => {
				if (toNodeError(error).category === 'not-found') return undefined;
				throw error;
			});
			if (!existing) {
				if (mode === 'update') {
					throw new JetStreamNodeError('not-found', `Stream "${wanted.name}" does not exist`, { hint: 'Create it first, or use "Create or Update"' });
				}
				const created = await jsm.streams.add(wanted);
				return { action: 'created', ...streamInfoToJson(created) };
			}
			const changes = streamChanges(existing.config, wanted);
			if (changes.length === 0) return { action: 'unchanged', changes, ...streamInfoToJson(existing) };
			const updated = await jsm.streams.update(wanted.name, { ...existing.config, ...wanted } as StreamConfig);
			return { action: 'updated', changes, ...streamInfoToJson(updated) };
		},
		(i) => ({ stream: streamParameter(fn, i) }),
	);
}
