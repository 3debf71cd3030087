import type { Resource } from '../types';
import { createStream } from './create.operation';
import { deleteStream } from './delete.operation';
import { upsertStream } from './upsert.operation';
import { getStream } from './get.operation';
import { getManyStreams } from './getAll.operation';
import { purgeStream } from './purge.operation';
import { updateStream } from './update.operation';

export const streamResource: Resource = {
	name: 'Stream',
	value: 'stream',
	description: 'Create, inspect and manage streams (where JetStream stores messages)',
	defaultOperation: 'get',
	operations: [createStream, updateStream, upsertStream, getStream, getManyStreams, purgeStream, deleteStream],
};
