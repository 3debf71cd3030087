import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { redriveDeadLetters, type RedriveSelection } from '../../../shared/deadLetter';
import type { NatsClient } from '../../../shared/transport';
import { validateInteger, validatePublishSubject } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { dlqStreamField, filterField, parseSequences, readDlqStream, readFilter } from './fields';

const show = (select: string) => ({ show: { select: [select] } });

const properties: INodeProperties[] = [
	dlqStreamField,
	{
		displayName: 'Select',
		name: 'select',
		type: 'options',
		default: 'sequences',
		description: 'Which dead letters to send again',
		options: [
			{ name: 'All', value: 'all', description: 'Every dead letter in the stream (up to the limit)' },
			{ name: 'By Filter', value: 'filter', description: 'Dead letters matching reason, subject, time' },
			{ name: 'By Sequence', value: 'sequences', description: 'The dead letters with these sequence numbers' },
			{ name: 'By Sequence Range', value: 'range', description: 'Dead letters from one sequence to another' },
		],
	},
	{
		displayName: 'Sequences',
		name: 'sequences',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 3, 7, 10-12',
		description: 'Sequence numbers ("dlqSequence" from List), separated by commas; ranges like 10-12 are allowed',
		displayOptions: show('sequences'),
	},
	{
		displayName: 'From Sequence',
		name: 'fromSequence',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'First sequence of the range (inclusive)',
		displayOptions: show('range'),
	},
	{
		displayName: 'To Sequence',
		name: 'toSequence',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'Last sequence of the range (inclusive)',
		displayOptions: show('range'),
	},
	{ ...filterField, displayOptions: show('filter') },
	{
		displayName: 'Target Subject',
		name: 'targetSubject',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.retry',
		description: 'Publish here instead of each message\'s original subject. Leave empty to send each message back where it came from.',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { select: ['all', 'filter', 'range'] } },
	},
];

function readSelection(fn: IExecuteFunctions, i: number): RedriveSelection {
	const select = String(fn.getNodeParameter('select', i));
	switch (select) {
		case 'sequences':
			return { sequences: parseSequences(String(fn.getNodeParameter('sequences', i))) };
		case 'range': {
			const fromSequence = validateInteger(fn.getNodeParameter('fromSequence', i), 'From Sequence', 1);
			const toSequence = validateInteger(fn.getNodeParameter('toSequence', i), 'To Sequence', fromSequence);
			return { fromSequence, toSequence, limit: readLimit(fn, i) };
		}
		case 'filter':
			return { filter: readFilter(fn, i), limit: readLimit(fn, i) };
		default:
			return { limit: readLimit(fn, i) };
	}
}

function readLimit(fn: IExecuteFunctions, i: number): number {
	return validateInteger(fn.getNodeParameter('limit', i), 'Limit', 1, 100_000);
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const stream = readDlqStream(this, i, client.credentials);
			const target = String(this.getNodeParameter('targetSubject', i, '')).trim();
			const report = await redriveDeadLetters(client, stream, readSelection(this, i), {
				targetSubject: target ? validatePublishSubject(target, 'Target Subject') : undefined,
			});
			return { dlqStream: stream, ...report, outcomes: report.outcomes as unknown as IDataObject[] };
		},
		(i) => ({ stream: readDlqStream(this, i) }),
	);
}

export const redriveDeadLettersOperation: Operation = {
	name: 'Redrive',
	value: 'redrive',
	action: 'Redrive dead letters',
	description:
		'Send dead letters again to their original subject (or another one) and remove them from the dead-letter queue; running it twice never publishes a message twice',
	properties,
	execute,
};
