import type { INodeProperties } from 'n8n-workflow';

import { bucketLocator } from '../shared/n8n/locators';
import { bucketPanel } from '../JetStreamTrigger/bucketFields';

/** The key-value trigger's panel: which bucket and keys, then the JetStream Trigger's behaviour fields. */

const bucketFields: INodeProperties[] = [
	bucketLocator({ description: 'The key-value bucket whose changes start the workflow' }),
	{
		displayName: 'Keys',
		name: 'keys',
		type: 'string',
		default: '>',
		placeholder: 'e.g. orders.*',
		description:
			'Which keys to watch, comma-separated: * stands for one part between dots, > for everything below (orders.* matches orders.1234; > matches every key)',
	},
];

export const properties: INodeProperties[] = bucketPanel(
	bucketFields,
	{ what: 'change', withoutOptions: ['payloadOnly'], schemaCheck: true },
	'Current Value of Every Key, Then Changes',
);
