import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { streamNameField } from './fields';
import { streamOptionsField, subjectsField } from './streamSettings';
import { writeStreams } from './write';

export const updateStream: Operation = {
	name: 'Update',
	value: 'update',
	action: 'Update a stream',
	description: 'Change the subjects or limits of an existing stream (storage and retention cannot change)',
	properties: [
		streamNameField,
		{ ...subjectsField, required: false, description: 'New subjects, replacing the old ones, comma-separated; empty keeps them' },
		streamOptionsField,
	],
	execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return writeStreams(this, client, items, 'update');
	},
};
