import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { incrementCounter, type NatsClient } from '../../../shared/transport';
import { forEachItem, itemNumber } from '../perItem';
import type { Operation } from '../types';
import { counterJson, counterSubjectField, readCounterSubject, requireCounters } from './fields';

/** How long one increment may wait for the stream's answer. */
const ACK_TIMEOUT_MS = 10_000;

const properties: INodeProperties[] = [
	counterSubjectField,
	{
		displayName: 'Increment By',
		name: 'incrementBy',
		type: 'number',
		default: 1,
		description: 'A whole number added to the counter; negative to decrease it',
	},
];

function readIncrement(fn: IExecuteFunctions, i: number): string {
	const by = Number(fn.getNodeParameter('incrementBy', i, 1));
	if (!Number.isSafeInteger(by)) {
		throw new InvalidParameterError('incrementBy', `"Increment By" of item ${itemNumber(i)} must be a whole number, not ${String(by)}`, 'Use e.g. 1, or -1 to count down');
	}
	return String(by);
}

/**
 * Adds to one counter per item, shared by every workflow and n8n instance that uses the subject: the
 * server adds, so two instances counting at once never lose an increment. Items run one after
 * another, so the totals in the output follow the input order.
 */
async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	requireCounters(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => counterJson(await incrementCounter(client, readCounterSubject(this, i), readIncrement(this, i), ACK_TIMEOUT_MS)),
		(i) => ({ subject: readCounterSubject(this, i) }),
	);
}

export const incrementCounterOperation: Operation = {
	name: 'Increment',
	value: 'increment',
	action: 'Increment a counter',
	description: 'Add to a counter kept by the stream (nats-server 2.12+) and output its new total',
	properties,
	execute,
};
