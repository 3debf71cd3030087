import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { validateSubjectFilter } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { streamInfoToJson } from './streamJson';

const properties: INodeProperties[] = [
	{
		displayName: 'Only Streams Storing Subject',
		name: 'listSubject',
		type: 'string',
		default: '',
		placeholder: 'orders.created',
		description: 'Show only streams that store this subject; empty lists every stream',
	},
];

export const listStreams: Operation = {
	name: 'List',
	value: 'list',
	action: 'List streams',
	description: 'Every stream with its settings and state, one item each',
	properties,
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(this, items, async (i): Promise<IDataObject[]> => {
			const subject = String(this.getNodeParameter('listSubject', i, '') ?? '').trim();
			const out: IDataObject[] = [];
			for await (const info of jsm.streams.list(subject ? validateSubjectFilter(subject, 'Only Streams Storing Subject') : undefined)) {
				out.push(streamInfoToJson(info));
			}
			return out;
		});
	},
};
