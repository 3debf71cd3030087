import type { Resource } from '../types';
import { createConsumer } from './create.operation';
import { deleteConsumer } from './delete.operation';
import { ensureConsumer } from './ensure.operation';
import { getConsumer } from './get.operation';
import { listConsumers } from './list.operation';
import { updateConsumer } from './update.operation';

export const consumerResource: Resource = {
	name: 'Consumer',
	value: 'consumer',
	description: 'Durable consumers: where a reader of a stream is, and how it retries',
	defaultOperation: 'get',
	operations: [createConsumer, updateConsumer, ensureConsumer, getConsumer, listConsumers, deleteConsumer],
};
