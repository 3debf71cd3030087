import type { Resource } from '../types';
import { createStream } from './create.operation';
import { deleteStream } from './delete.operation';
import { ensureStream } from './ensure.operation';
import { getStream } from './get.operation';
import { listStreams } from './list.operation';
import { purgeStream } from './purge.operation';
import { updateStream } from './update.operation';

export const streamResource: Resource = {
	name: 'Stream',
	value: 'stream',
	description: 'Create, inspect and manage streams (where JetStream stores messages)',
	defaultOperation: 'get',
	operations: [createStream, updateStream, ensureStream, getStream, listStreams, purgeStream, deleteStream],
};
