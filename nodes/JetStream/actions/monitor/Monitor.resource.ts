import type { Resource } from '../types';
import { consumerHealth } from './consumerHealth.operation';
import { triggerStatistics } from './triggerStatistics.operation';

export const monitorResource: Resource = {
	name: 'Monitor',
	value: 'monitor',
	description: 'Is an event flow behind, stuck or failing, and what did its triggers do lately',
	defaultOperation: 'consumerHealth',
	operations: [consumerHealth, triggerStatistics],
};
