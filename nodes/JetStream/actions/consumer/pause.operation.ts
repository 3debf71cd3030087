import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem, itemNumber } from '../perItem';
import type { Operation } from '../types';
import { consumerNameField, consumerStreamField, errorContext, readConsumerName, readStreamName } from './fields';
import { PAUSE_HINT, setPause } from './pause';

function readUntil(fn: IExecuteFunctions, i: number): Date {
	const raw = fn.getNodeParameter('pauseUntil', i, '');
	const until = new Date(String(raw));
	if (!raw || Number.isNaN(until.getTime())) {
		throw new InvalidParameterError('pauseUntil', `"Pause Until" of item ${itemNumber(i)} is not a date and time`, 'Pick one, or use an expression such as {{ $now.plus(1, "hour") }}');
	}
	return until;
}

export const pauseConsumer: Operation = {
	name: 'Pause',
	value: 'pause',
	action: 'Pause a consumer',
	description: 'Stop a consumer delivering until a time (nats-server 2.11+): e.g. while a downstream system is down',
	properties: [
		consumerStreamField,
		consumerNameField,
		{
			displayName: 'Pause Until',
			name: 'pauseUntil',
			type: 'dateTime',
			default: '',
			required: true,
			hint: PAUSE_HINT,
			description: 'The consumer delivers nothing until then, and resumes on its own (or earlier with Consumer → Resume)',
		},
	],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i) => setPause(client, readStreamName(this, i), readConsumerName(this, i), readUntil(this, i), 'Consumer → Pause'), errorContext(this));
	},
};
