import type { INodeProperties } from 'n8n-workflow';

/** Where a bucket lives — key-value or object store alike: on how many servers, on disk or in memory. */
export const bucketPlacementFields: INodeProperties[] = [
	{
		displayName: 'Replicas',
		name: 'replicas',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 5 },
		default: 1,
		description: 'On how many servers of a NATS cluster the bucket is stored (1, 3 or 5). More than 1 needs a cluster.',
	},
	{
		displayName: 'Storage',
		name: 'storage',
		type: 'options',
		default: 'file',
		description: 'Where the server keeps the bucket. Cannot be changed after the bucket is created.',
		options: [
			{ name: 'File', value: 'file', description: 'On disk: survives a server restart' },
			{ name: 'Memory', value: 'memory', description: 'In memory: faster, but lost when the server restarts' },
		],
	},
];
