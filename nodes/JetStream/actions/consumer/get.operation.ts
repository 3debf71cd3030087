import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { consumerInfoToJson } from './consumerJson';
import { consumerNameField, consumerStreamField, errorContext, readConsumerName, readStreamName } from './fields';

export const getConsumer: Operation = {
	name: 'Get',
	value: 'get',
	action: 'Get a consumer',
	description: 'Read a consumer\'s lag (messages still to read), messages awaiting an answer, redeliveries and settings',
	properties: [consumerStreamField, consumerNameField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject> => consumerInfoToJson(await jsm.consumers.info(readStreamName(this, i), readConsumerName(this, i))),
			errorContext(this),
		);
	},
};
