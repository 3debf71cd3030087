import type { Resource } from '../types';
import { createConsumer } from './create.operation';
import { deleteConsumer } from './delete.operation';
import { upsertConsumer } from './upsert.operation';
import { getConsumer } from './get.operation';
import { getManyConsumers } from './getAll.operation';
import { pauseConsumer } from './pause.operation';
import { resumeConsumer } from './resume.operation';
import { updateConsumer } from './update.operation';

export const consumerResource: Resource = {
	name: 'Consumer',
	value: 'consumer',
	description: 'Durable consumers: where a reader of a stream is, and how it retries',
	defaultOperation: 'get',
	operations: [createConsumer, updateConsumer, upsertConsumer, getConsumer, getManyConsumers, deleteConsumer, pauseConsumer, resumeConsumer],
};
