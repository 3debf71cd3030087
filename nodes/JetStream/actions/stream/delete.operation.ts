import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { toNodeError } from '../../../shared/errorMapping';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { readStreamName, streamNameField, streamParameter } from './fields';

const properties: INodeProperties[] = [
	streamNameField,
	{
		displayName: 'Ignore If Missing',
		name: 'ignoreMissing',
		type: 'boolean',
		default: false,
		description: 'Whether a stream that does not exist counts as deleted instead of failing',
	},
];

export const deleteStream: Operation = {
	name: 'Delete',
	value: 'delete',
	action: 'Delete a stream',
	description: 'Delete a stream with all its messages and consumers, for good',
	properties,
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject> => {
				const stream = readStreamName(this, i);
				const ignoreMissing = this.getNodeParameter('ignoreMissing', i, false) === true;
				const deleted = await jsm.streams.delete(stream).catch((error: unknown) => {
					// Only "does not exist" may be ignored; anything else still fails the item.
					if (ignoreMissing && toNodeError(error).category === 'not-found') return undefined;
					throw error;
				});
				return deleted === undefined ? { stream, deleted: false, existed: false } : { stream, deleted };
			},
			(i) => ({ stream: streamParameter(this, i) }),
		);
	},
};
