import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { consumerNameField, consumerStreamField, errorContext, readConsumerName, readStreamName } from './fields';
import { setPause } from './pause';

export const resumeConsumer: Operation = {
	name: 'Resume',
	value: 'resume',
	action: 'Resume a consumer',
	description: 'Let a paused consumer deliver again at once (nats-server 2.11+)',
	properties: [consumerStreamField, consumerNameField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i) => setPause(client, readStreamName(this, i), readConsumerName(this, i), undefined, 'Consumer → Resume'), errorContext(this));
	},
};
