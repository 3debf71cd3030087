import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { validateInteger, validateSubjectFilter } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { readStreamName, streamNameField, streamParameter } from './fields';

const properties: INodeProperties[] = [
	streamNameField,
	{
		displayName: 'Only Subject',
		name: 'purgeSubject',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.test.>',
		description: 'Remove only messages on this subject (wildcards allowed); empty removes messages on every subject',
	},
	{
		displayName: 'Keep',
		name: 'purgeKeep',
		type: 'options',
		default: 'nothing',
		options: [
			{ name: 'Nothing', value: 'nothing', description: 'Remove every (matching) message' },
			{ name: 'The Newest Messages', value: 'newest', description: 'Keep the newest (matching) messages; how many is set below' },
			{ name: 'From a Sequence On', value: 'fromSequence', description: 'Remove (matching) messages before a sequence number' },
		],
	},
	{
		displayName: 'Messages to Keep',
		name: 'purgeKeepCount',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 0 },
		displayOptions: { show: { purgeKeep: ['newest'] } },
		description: 'How many of the newest (matching) messages stay in the stream',
	},
	{
		displayName: 'Sequence',
		name: 'purgeSequence',
		type: 'number',
		default: 1,
		typeOptions: { minValue: 1 },
		description: 'Messages with a lower sequence number are removed',
		displayOptions: { show: { purgeKeep: ['fromSequence'] } },
	},
];

export const purgeStream: Operation = {
	name: 'Purge',
	value: 'purge',
	action: 'Purge a stream',
	description: 'Remove messages from a stream for good (all, by subject, or all but the newest)',
	properties,
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject> => {
				const stream = readStreamName(this, i);
				const subject = String(this.getNodeParameter('purgeSubject', i, '') ?? '').trim();
				const keep = this.getNodeParameter('purgeKeep', i, 'nothing');
				const options: { filter?: string; keep?: number; seq?: number } = {};
				if (subject) options.filter = validateSubjectFilter(subject, 'Only Subject');
				if (keep === 'newest') options.keep = validateInteger(this.getNodeParameter('purgeKeepCount', i, 1), 'N', 0);
				if (keep === 'fromSequence') options.seq = validateInteger(this.getNodeParameter('purgeSequence', i, 1), 'Sequence', 1);
				const result = await jsm.streams.purge(stream, Object.keys(options).length ? (options as never) : undefined);
				return { stream, purged: result.purged };
			},
			(i) => ({ stream: streamParameter(this, i) }),
		);
	},
};
