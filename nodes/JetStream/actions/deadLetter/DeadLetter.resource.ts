import type { Resource } from '../types';
import { createDeadLetterStreamOperation } from './createStream.operation';
import { getManyDeadLettersOperation } from './getAll.operation';
import { getDeadLetterOperation } from './get.operation';
import { purgeDeadLettersOperation } from './purge.operation';
import { redriveDeadLettersOperation } from './redrive.operation';

export const deadLetterResource: Resource = {
	name: 'Dead Letter',
	value: 'deadLetter',
	description: 'Inspect, redrive and purge messages the JetStream Trigger gave up on (the dead-letter queue)',
	defaultOperation: 'getAll',
	operations: [
		createDeadLetterStreamOperation,
		getDeadLetterOperation,
		getManyDeadLettersOperation,
		purgeDeadLettersOperation,
		redriveDeadLettersOperation,
	],
};
