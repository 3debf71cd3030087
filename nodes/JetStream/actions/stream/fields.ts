import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { validateStreamName } from '../../../shared/validation';

export const streamNameField: INodeProperties = {
	displayName: 'Stream',
	name: 'stream',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'ORDERS',
	description: 'Name of the stream (letters, digits, - and _; no spaces, dots or wildcards)',
};

export function readStreamName(fn: IExecuteFunctions, itemIndex: number): string {
	return validateStreamName(String(fn.getNodeParameter('stream', itemIndex)), 'Stream');
}
