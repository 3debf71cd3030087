import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { consumerInfoToJson } from './consumerJson';
import { consumerStreamField, readStreamName } from './fields';

export const listConsumers: Operation = {
	name: 'List',
	value: 'list',
	action: 'List consumers',
	description: 'Every consumer of a stream with its lag, one item each',
	properties: [consumerStreamField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject[]> => {
				const out: IDataObject[] = [];
				for await (const info of jsm.consumers.list(readStreamName(this, i))) out.push(consumerInfoToJson(info));
				return out;
			},
			(i) => ({ stream: String(this.getNodeParameter('stream', i, '')) }),
		);
	},
};
