import type { ConsumerConfig } from '@nats-io/jetstream';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { toConsumerConfig } from '../../../shared/consumer/consumerSettings';
import { JetStreamNodeError } from '../../../shared/errors';
import { toNodeError } from '../../../shared/errorMapping';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { consumerChanges, type ConsumerChange } from './consumerDiff';
import { consumerInfoToJson } from './consumerJson';
import { errorContext, readSettings, readStreamName } from './fields';

/** Create, Update and Create or Update differ only in what they do when the consumer exists or not. */
export type WriteMode = 'create' | 'update' | 'upsert';

const isNotFound = (error: unknown) => toNodeError(error).category === 'not-found';

/** Deliver policy and start position are fixed at creation; an update must not send them. */
function updatableOnly(config: Partial<ConsumerConfig>): Partial<ConsumerConfig> {
	const copy = { ...config };
	delete copy.deliver_policy;
	delete copy.opt_start_seq;
	delete copy.opt_start_time;
	return copy;
}

export function writeConsumers(fn: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[], mode: WriteMode): Promise<INodeExecutionData[]> {
	return forEachItem(
		fn,
		items,
		async (i): Promise<IDataObject> => {
			const stream = readStreamName(fn, i);
			const settings = readSettings(fn, client, i);
			const config = toConsumerConfig(settings);
			const jsm = await client.jsm();
			const existing = await jsm.consumers.info(stream, settings.durableName).catch((error: unknown) => {
				if (isNotFound(error)) return undefined;
				throw error;
			});
			if (!existing) {
				if (mode === 'update') {
					throw new JetStreamNodeError('not-found', `Consumer "${settings.durableName}" does not exist on stream "${stream}"`, { hint: 'Create it first, or use "Create or Update"' });
				}
				const created = await jsm.consumers.add(stream, config);
				return { action: 'created', ...consumerInfoToJson(created) };
			}
			const changes = consumerChanges(existing.config, config, settings.durableName);
			// The server would quietly update an existing durable; Create promises not to.
			if (mode === 'create' && changes.length > 0) throw alreadyExists(stream, settings.durableName, changes);
			if (changes.length === 0) return { action: 'unchanged', changes, ...consumerInfoToJson(existing) };
			const updated = await jsm.consumers.update(stream, settings.durableName, updatableOnly(config));
			return { action: 'updated', changes, ...consumerInfoToJson(updated) };
		},
		errorContext(fn),
	);
}

function alreadyExists(stream: string, name: string, changes: ConsumerChange[]): JetStreamNodeError {
	const differences = changes.map((c) => `${c.setting}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`).join(', ');
	return new JetStreamNodeError('conflict', `Consumer "${name}" already exists on stream "${stream}" with other settings (${differences})`, {
		hint: 'Use "Update" or "Create or Update" to change it, or choose another name',
	});
}
