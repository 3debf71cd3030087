import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { deadLetterStreamSubject, ensureDeadLetterStream } from '../../../shared/deadLetter';
import type { NatsClient } from '../../../shared/transport';
import { validateInteger, validateLimit, validateSubjectFilter } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { dlqStreamField, readDlqStream } from './fields';

const DAY_MS = 86_400_000;

const properties: INodeProperties[] = [
	dlqStreamField,
	{
		displayName: 'Subjects',
		name: 'subjects',
		type: 'string',
		default: deadLetterStreamSubject(),
		description: 'Subjects the dead-letter stream captures, separated by commas. The trigger dead-letters to dlq.STREAM.CONSUMER by default, so dlq.> catches all of them.',
	},
	{
		displayName: 'Keep For (Days)',
		name: 'maxAgeDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 30,
		description: 'Dead letters older than this are deleted automatically; 0 keeps them until purged',
	},
	{
		displayName: 'Max Messages',
		name: 'maxMessages',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 1000000,
		description: 'When the stream holds this many dead letters the oldest are dropped; 0 = no limit',
	},
];

function readSubjects(raw: string): string[] {
	const subjects = raw
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
	return (subjects.length > 0 ? subjects : [deadLetterStreamSubject()]).map((s) => validateSubjectFilter(s, 'Subjects'));
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const name = readDlqStream(this, i, client.credentials);
			const result = await ensureDeadLetterStream(client, {
				name,
				subjects: readSubjects(String(this.getNodeParameter('subjects', i, ''))),
				maxAgeMs: validateInteger(this.getNodeParameter('maxAgeDays', i), 'Keep For (Days)', 0, 36_500) * DAY_MS,
				maxMessages: validateLimit(this.getNodeParameter('maxMessages', i), 'Max Messages'),
			});
			return { created: result.created, ...result.stream } as IDataObject;
		},
		(i) => ({ stream: readDlqStream(this, i) }),
	);
}

export const createDeadLetterStreamOperation: Operation = {
	name: 'Create Stream',
	value: 'createStream',
	action: 'Create the dead letter stream',
	description: 'Create the dead-letter stream (file storage) or update its limits if it exists; needs permission to manage streams',
	properties,
	execute,
};
