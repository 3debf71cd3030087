import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { purgeDeadLetters, type PurgeSelection } from '../../../shared/deadLetter';
import { InvalidParameterError } from '../../../shared/errors';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { dlqStreamField, filterField, readDate, readDlqStream, readFilter } from './fields';

const properties: INodeProperties[] = [
	dlqStreamField,
	{
		displayName: 'Purge',
		name: 'purgeMode',
		type: 'options',
		default: 'olderThan',
		description: 'Which dead letters to delete for good',
		options: [
			{ name: 'All', value: 'all', description: 'Every message in the dead-letter stream' },
			{ name: 'By Filter', value: 'filter', description: 'Dead letters matching reason, subject, time' },
			{ name: 'Older Than', value: 'olderThan', description: 'Dead letters stored before a date and time' },
		],
	},
	{
		displayName: 'Older Than',
		name: 'olderThan',
		type: 'dateTime',
		default: '',
		required: true,
		description: 'Delete dead letters stored before this time',
		displayOptions: { show: { purgeMode: ['olderThan'] } },
	},
	{ ...filterField, displayOptions: { show: { purgeMode: ['filter'] } } },
];

function readSelection(fn: IExecuteFunctions, i: number): PurgeSelection {
	const mode = String(fn.getNodeParameter('purgeMode', i));
	if (mode === 'all') return {};
	if (mode === 'filter') return { filter: readFilter(fn, i) };
	const olderThan = readDate(fn.getNodeParameter('olderThan', i, ''), 'Older Than');
	if (!olderThan) {
		throw new InvalidParameterError('Older Than', '"Older Than" is empty', 'Pick a date and time, e.g. {{ $now.minus(7, "days") }}');
	}
	return { olderThan };
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const stream = readDlqStream(this, i, client.credentials);
			const report = await purgeDeadLetters(client, stream, readSelection(this, i));
			return { dlqStream: stream, purged: report.purged };
		},
		(i) => ({ stream: readDlqStream(this, i) }),
	);
}

export const purgeDeadLettersOperation: Operation = {
	name: 'Purge',
	value: 'purge',
	action: 'Purge dead letters',
	description: 'Delete dead letters for good: all of them, those matching a filter, or those older than a date',
	properties,
	execute,
};
