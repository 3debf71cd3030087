import type { StreamConfig } from '@nats-io/jetstream';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { JetStreamApiCodes, JetStreamNodeError } from '../../../shared/errors';
import { hasApiCode, toNodeError } from '../../../shared/errorMapping';
import { streamsStoring, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { streamParameter } from './fields';
import { streamChanges } from './streamDiff';
import { streamInfoToJson } from './streamJson';
import { readStreamConfig } from './streamSettings';

/** Create, Update and Create or Update differ only in what they do when the stream exists or not. */
export type WriteMode = 'create' | 'update' | 'upsert';

/** Why the server refused a create or update; another stream storing some of the subjects is named. */
async function refusal(client: NatsClient, wanted: Pick<Partial<StreamConfig>, 'subjects'> & { name: string }, error: unknown): Promise<JetStreamNodeError> {
	if (!hasApiCode(error, JetStreamApiCodes.StreamSubjectsOverlap)) return toNodeError(error, { stream: wanted.name });
	const subjects = wanted.subjects ?? [];
	const others = (await streamsStoring(client, subjects)).filter((name) => name !== wanted.name);
	const owner = others.length === 0 ? 'another stream' : `stream ${others.map((name) => `"${name}"`).join(', ')}`;
	return new JetStreamNodeError('conflict', `Stream "${wanted.name}" cannot store ${subjects.join(', ')}: ${owner} already stores some of these subjects`, {
		hint: `A subject is stored by one stream only: choose other subjects, or take them out of ${owner} first (Stream → Update). Stream → Get Many lists the streams and their subjects`,
		cause: error,
	});
}

async function namingOverlap<T>(client: NatsClient, wanted: Pick<Partial<StreamConfig>, 'subjects'> & { name: string }, step: Promise<T>): Promise<T> {
	try {
		return await step;
	} catch (error) {
		throw await refusal(client, wanted, error);
	}
}

function alreadyExists(name: string, changes: ReturnType<typeof streamChanges>): JetStreamNodeError {
	const differences = changes.map((c) => `${c.setting}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join(', ');
	return new JetStreamNodeError('conflict', `Stream "${name}" already exists with other settings (${differences})`, {
		hint: 'Use "Update" or "Create or Update" to change it, or choose another name',
	});
}

export function writeStreams(fn: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[], mode: WriteMode): Promise<INodeExecutionData[]> {
	return forEachItem(
		fn,
		items,
		async (i): Promise<IDataObject> => {
			const wanted = readStreamConfig(fn, i, mode !== 'update', client.serverVersion());
			const jsm = await client.jsm();
			const existing = await jsm.streams.info(wanted.name).catch((error: unknown) => {
				if (toNodeError(error).category === 'not-found') return undefined;
				throw error;
			});
			if (!existing) {
				if (mode === 'update') {
					throw new JetStreamNodeError('not-found', `Stream "${wanted.name}" does not exist`, { hint: 'Create it first, or use "Create or Update"' });
				}
				const created = await namingOverlap(client, wanted, jsm.streams.add(wanted));
				return { action: 'created', ...streamInfoToJson(created) };
			}
			const changes = streamChanges(existing.config, wanted);
			// The server answers a create with the same settings as if it had made the stream; say what happened.
			if (mode === 'create' && changes.length > 0) throw alreadyExists(wanted.name, changes);
			if (changes.length === 0) return { action: 'unchanged', changes, ...streamInfoToJson(existing) };
			const updated = await namingOverlap(client, wanted, jsm.streams.update(wanted.name, { ...existing.config, ...wanted } as StreamConfig));
			return { action: 'updated', changes, ...streamInfoToJson(updated) };
		},
		(i) => ({ stream: streamParameter(fn, i) }),
	);
}
