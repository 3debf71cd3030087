import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { validateInteger } from '../../../shared/validation';
import type { Operation } from '../types';
import { bucketField, keyField, readOptions, valueFields } from './fields';
import { runWrites } from './writeKey';

const properties: INodeProperties[] = [
	bucketField,
	keyField,
	...valueFields,
	{
		displayName: 'Options',
		name: 'kvCreateOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Key TTL (Seconds)',
				name: 'keyTtlSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description:
					'Remove this key automatically after so many seconds, whatever the bucket\'s TTL. Needs NATS server 2.11+ and a bucket with "Per-Key TTL Marker" turned on. 0 = no expiry of its own.',
			},
		],
	},
];

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	return runWrites(this, client, items, (i) => ({
		kind: 'absent',
		ttlSeconds: validateInteger(readOptions(this, 'kvCreateOptions', i).keyTtlSeconds ?? 0, 'Key TTL (Seconds)', 0),
	}));
}

export const createKeyOperation: Operation = {
	name: 'Create Key',
	value: 'create',
	action: 'Create a key if it does not exist',
	description: 'Store a value only if the key does not exist yet (or was deleted); fails when it exists, so only one writer wins',
	properties,
	execute,
};
