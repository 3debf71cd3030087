import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { streamVisible, type NatsClient } from '../../../shared/transport';
import { validateSubjectFilter } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import { keepOnly, readLimit, takeUpTo, returnAllFields } from '../returnAll';
import type { Operation } from '../types';
import { streamInfoToJson } from './streamJson';

const properties: INodeProperties[] = [
	{
		displayName: 'Only Streams Storing Subject',
		name: 'listSubject',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.created',
		description: 'Show only streams that store this subject; empty lists every stream',
	},
	...returnAllFields,
];

export const getManyStreams: Operation = {
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many streams',
	description: 'Every stream with its settings and state, one item each',
	properties,
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(this, items, async (i): Promise<IDataObject[]> => {
			const subject = String(this.getNodeParameter('listSubject', i, '') ?? '').trim();
			const filter = subject ? validateSubjectFilter(subject, 'Only Streams Storing Subject') : undefined;
			const own = keepOnly(jsm.streams.list(filter), (s) => streamVisible(client.credentials.subjectPrefix, s.config.name));
			return (await takeUpTo(own, readLimit(this, i))).map(streamInfoToJson);
		});
	},
};
