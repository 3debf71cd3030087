import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { isStreamNotFound, toNodeError } from '../../../shared/errorMapping';
import { StatsBucket } from '../../../shared/stats/bucket';
import { aggregate } from '../../../shared/stats/entry';
import type { NatsClient } from '../../../shared/transport';
import { consumerNameField, consumerStreamField, errorContext, readConsumerName, readStreamName } from '../consumer/fields';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { readStatsBucket, statsBucketField } from './fields';

export const triggerStatistics: Operation = {
	name: 'Trigger Statistics',
	value: 'triggerStatistics',
	action: 'Get the statistics of the triggers reading a consumer',
	description: 'What the active JetStream Triggers reading a consumer did lately: received, succeeded, failed, retried, dead-lettered, duplicates, latency and execution time',
	properties: [consumerStreamField, consumerNameField, statsBucketField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const buckets = new Map<string, StatsBucket | undefined>();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject> => {
				const stream = readStreamName(this, i);
				const consumer = readConsumerName(this, i);
				const name = readStatsBucket(this, i);
				if (!buckets.has(name)) {
					// No bucket yet: no trigger has written figures (none ran for an interval since it was made).
					const opened = await StatsBucket.open(client, name, false).catch((error: unknown) => {
						if (isStreamNotFound(error)) return undefined;
						throw toNodeError(error, { bucket: name });
					});
					buckets.set(name, opened);
				}
				const bucket = buckets.get(name);
				const entries = bucket ? await bucket.read(stream, consumer) : [];
				return { stream, consumer, bucket: name, ...aggregate(entries) } as unknown as IDataObject;
			},
			errorContext(this),
		);
	},
};
