import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import type { Operation } from '../types';
import { bucketField, keyField, readRevision, valueFields } from './fields';
import { runWrites } from './writeKey';

const properties: INodeProperties[] = [
	bucketField,
	keyField,
	{
		displayName: 'Expected Revision',
		name: 'kvExpectedRevision',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		required: true,
		description:
			'The revision the key must still be at, usually {{ $json.revision }} from a Get Key before. If someone changed the key since, the update fails with a revision conflict instead of overwriting their change.',
	},
	...valueFields,
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return runWrites(this, client, items, (i) => ({
		kind: 'revision',
		expected: readRevision(this.getNodeParameter('kvExpectedRevision', i), 'Expected Revision', 1),
	}));
}

export const updateKeyOperation: Operation = {
	name: 'Update Key',
	value: 'update',
	action: 'Update a key if unchanged',
	description: 'Replace a key\'s value only if it is still at the revision you read (safe concurrent updates)',
	properties,
	execute,
};
