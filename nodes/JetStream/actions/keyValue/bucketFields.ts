import type { INodeProperties } from 'n8n-workflow';

import { bucketLocator } from '../../../shared/n8n/locators';
import { bucketPlacementFields } from '../bucketPlacement';
import { MAX_HISTORY } from './bucketSettings';
import { bucketField } from './fields';

/** The fields of Create Bucket and Create or Update Bucket. */

const historyField: INodeProperties = {
	displayName: 'History',
	name: 'kvHistory',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_HISTORY },
	default: 1,
	description: `How many values to keep per key (1–${MAX_HISTORY}). 1 keeps only the latest; more lets "Get Key History" show earlier values.`,
};

const ttlField: INodeProperties = {
	displayName: 'TTL (Seconds)',
	name: 'kvTtlSeconds',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description: 'Values older than this many seconds are removed automatically. 0 keeps values until they are deleted.',
};

const optionsField: INodeProperties = {
	displayName: 'Options',
	name: 'kvBucketOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Compression',
			name: 'compression',
			type: 'boolean',
			default: false,
			description: 'Whether the server compresses the stored values (saves disk, costs a little CPU). Needs NATS server 2.10 or newer.',
		},
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			default: '',
			description: 'A note about what the bucket holds, shown in monitoring tools',
		},
		{
			displayName: 'Max Bucket Size (Bytes)',
			name: 'maxBytes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'The most data the bucket may hold; once full, new writes are refused. 0 = no limit.',
		},
		{
			displayName: 'Max Value Size (Bytes)',
			name: 'maxValueSize',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'The largest single value the bucket accepts. 0 = no limit (the server\'s message size limit still applies).',
		},
		{
			displayName: 'Per-Key TTL Marker (Seconds)',
			name: 'markerTtlSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description:
				'Above 0 lets "Create Key" give a key its own expiry time ("Key TTL"); when a key expires, a marker saying so is kept this many seconds. Needs NATS server 2.11 or newer; cannot be turned off again. 0 = off.',
		},
		...bucketPlacementFields,
	],
};

export const bucketSettingsFields: INodeProperties[] = [bucketField, historyField, ttlField, optionsField];

/** Create Bucket names a bucket that does not exist yet: typed by default, the list is there to look. */
export const newBucketSettingsFields: INodeProperties[] = [bucketLocator({ defaultMode: 'name' }), historyField, ttlField, optionsField];
