import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { streamNameField } from './fields';
import { streamOptionsField, subjectsField } from './streamSettings';
import { writeStreams } from './write';

export const upsertStream: Operation = {
	name: 'Create or Update',
	value: 'upsert',
	action: 'Create or update a stream',
	description: 'Create the stream, or update it to match these settings; safe to run on every deployment, and says what changed',
	properties: [streamNameField, subjectsField, streamOptionsField],
	execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return writeStreams(this, client, items, 'upsert');
	},
};
