import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { streamLocator } from '../../../shared/n8n/locators';
import { readCounter, type NatsClient } from '../../../shared/transport';
import { validateStreamName } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import { streamParameter } from '../stream/fields';
import type { Operation } from '../types';
import { counterJson, counterSubjectField, readCounterSubject, requireCounters } from './fields';

/** Reads a counter's total without changing it; a counter never written reads 0 (sequence null). */
async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	requireCounters(client);
	const streamOf = (i: number) => validateStreamName(streamParameter(this, i, 'counterStream'), 'Stream');
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => counterJson(await readCounter(client, streamOf(i), readCounterSubject(this, i))),
		(i) => ({ stream: streamParameter(this, i, 'counterStream'), subject: readCounterSubject(this, i) }),
	);
}

export const getCounterOperation: Operation = {
	name: 'Get',
	value: 'get',
	action: 'Get a counter',
	description: 'Read a counter\'s current total (nats-server 2.12+)',
	properties: [streamLocator({ name: 'counterStream', description: 'The stream that keeps the counter (its "Allow Counters" is on)' }), counterSubjectField],
	execute,
};
