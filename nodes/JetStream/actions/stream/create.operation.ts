import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { newStreamNameField } from './fields';
import { streamOptionsField, subjectsField } from './streamSettings';
import { writeStreams } from './write';

export const createStream: Operation = {
	name: 'Create',
	value: 'create',
	action: 'Create a stream',
	description: 'Create a stream that stores messages on the given subjects; fails when one with other settings exists',
	properties: [newStreamNameField, subjectsField, streamOptionsField],
	execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return writeStreams(this, client, items, 'create');
	},
};
