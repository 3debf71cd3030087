import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { consumerNameField, consumerStreamField, errorContext, readConsumerName, readStreamName } from './fields';

export const deleteConsumer: Operation = {
	name: 'Delete',
	value: 'delete',
	action: 'Delete a consumer',
	description: 'Delete a consumer; the messages stay in the stream, only the reading position is forgotten',
	properties: [consumerStreamField, consumerNameField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject> => {
				const stream = readStreamName(this, i);
				const consumer = readConsumerName(this, i);
				return { stream, consumer, deleted: await jsm.consumers.delete(stream, consumer) };
			},
			errorContext(this),
		);
	},
};
