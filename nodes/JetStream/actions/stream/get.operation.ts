import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { streamNameField, readStreamName } from './fields';
import { streamInfoToJson } from './streamJson';

const properties: INodeProperties[] = [streamNameField];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const jsm = await client.jsm();
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => streamInfoToJson(await jsm.streams.info(readStreamName(this, i))),
		(i) => ({ stream: readStreamName(this, i) }),
	);
}

export const getStream: Operation = {
	name: 'Get',
	value: 'get',
	action: 'Get a stream',
	description: 'Read a stream\'s settings and state: messages, bytes, first and last sequence, consumer count',
	properties,
	execute,
};
