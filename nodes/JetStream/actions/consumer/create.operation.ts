import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { consumerSettingFields } from '../../../shared/consumer/consumerFields';
import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { consumerDescriptionField, consumerStreamField, newConsumerNameField } from './fields';
import { writeConsumers } from './write';

export const createConsumer: Operation = {
	name: 'Create',
	value: 'create',
	action: 'Create a consumer',
	description: 'Create a durable pull consumer; fails when one with other settings exists',
	properties: [consumerStreamField, newConsumerNameField, ...consumerSettingFields(), consumerDescriptionField],
	execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return writeConsumers(this, client, items, 'create');
	},
};
