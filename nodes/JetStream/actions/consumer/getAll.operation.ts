import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import { readLimit, returnAllFields, takeUpTo } from '../returnAll';
import type { Operation } from '../types';
import { consumerInfoToJson } from './consumerJson';
import { consumerStreamField, readStreamName, streamParameter } from './fields';

export const getManyConsumers: Operation = {
	name: 'Get Many',
	value: 'getAll',
	action: 'Get many consumers',
	description: 'Every consumer of a stream with its lag, one item each',
	properties: [consumerStreamField, ...returnAllFields],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject[]> => {
				const infos = await takeUpTo(jsm.consumers.list(readStreamName(this, i)), readLimit(this, i));
				return infos.map(consumerInfoToJson);
			},
			(i) => ({ stream: streamParameter(this, i) }),
		);
	},
};
