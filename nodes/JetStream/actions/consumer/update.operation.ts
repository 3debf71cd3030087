import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { consumerSettingFields } from '../../../shared/consumer/consumerFields';
import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { consumerDescriptionField, consumerNameField, consumerStreamField } from './fields';
import { writeConsumers } from './write';

export const updateConsumer: Operation = {
	name: 'Update',
	value: 'update',
	action: 'Update a consumer',
	description: 'Change the settings of an existing consumer (deliver policy and start position are fixed at creation)',
	properties: [consumerStreamField, consumerNameField, ...consumerSettingFields(), consumerDescriptionField],
	execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return writeConsumers(this, client, items, 'update');
	},
};
