import type { Resource } from '../types';
import { getStream } from './get.operation';

export const streamResource: Resource = {
	name: 'Stream',
	value: 'stream',
	description: 'Create, inspect and manage streams (where JetStream stores messages)',
	defaultOperation: 'get',
	operations: [getStream],
};
