import type { INodeProperties } from 'n8n-workflow';

import { bucketPanel } from '../JetStreamTrigger/bucketFields';

/** The object store trigger's panel: which bucket, whether to read the bytes, then the JetStream Trigger's behaviour fields. */

const bucketFields: INodeProperties[] = [
	{
		displayName: 'Bucket',
		name: 'objectBucket',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. invoices',
		description: 'The object store bucket whose new, updated and deleted objects start the workflow (letters, digits, - and _)',
	},
	{
		displayName: 'Download Content',
		name: 'download',
		type: 'boolean',
		default: true,
		description:
			'Whether to put the object\'s bytes in the binary field (see Options → Binary Property). Off: the item has the name, size and digest only, e.g. to pass the name on.',
	},
];

export const properties: INodeProperties[] = bucketPanel(
	bucketFields,
	{ what: 'object', withoutOptions: ['payloadOnly', 'content'], schemaCheck: false },
	'Every Object as It Is Now, Then Changes',
);
