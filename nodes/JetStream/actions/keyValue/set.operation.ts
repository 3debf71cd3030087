import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { bucketField, expectedRevisionOption, keyField, readOptions, readRevision, valueFields } from './fields';
import { runWrites } from './writeKey';

const properties: INodeProperties[] = [
	bucketField,
	keyField,
	...valueFields,
	{
		displayName: 'Options',
		name: 'kvPutOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [expectedRevisionOption],
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return runWrites(this, client, items, (i) => {
		const expected = readRevision(readOptions(this, 'kvPutOptions', i).expectedRevision, 'Expected Revision');
		return expected > 0 ? { kind: 'revision', expected } : { kind: 'none' };
	});
}

export const setKeyOperation: Operation = {
	name: 'Set Key',
	value: 'set',
	action: 'Set a key\'s value',
	description: 'Store a value under a key, creating the key or replacing its value; returns the new revision',
	properties,
	execute,
};
