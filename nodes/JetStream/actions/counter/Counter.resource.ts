import type { Resource } from '../types';
import { getCounterOperation } from './get.operation';
import { incrementCounterOperation } from './increment.operation';

export const counterResource: Resource = {
	name: 'Counter',
	value: 'counter',
	description: 'Counters the stream keeps (nats-server 2.12+): events per customer, a rate limit shared by all n8n instances',
	defaultOperation: 'increment',
	operations: [incrementCounterOperation, getCounterOperation],
};
