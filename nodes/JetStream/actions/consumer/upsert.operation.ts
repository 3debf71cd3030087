import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { consumerSettingFields } from '../../../shared/consumer/consumerFields';
import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { consumerDescriptionField, consumerNameField, consumerStreamField } from './fields';
import { writeConsumers } from './write';

export const upsertConsumer: Operation = {
	name: 'Create or Update',
	value: 'upsert',
	action: 'Create or update a consumer',
	description: 'Create the consumer, or update it to match these settings; safe to run on every deployment, and says what changed',
	properties: [consumerStreamField, consumerNameField, ...consumerSettingFields(), consumerDescriptionField],
	execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return writeConsumers(this, client, items, 'upsert');
	},
};
