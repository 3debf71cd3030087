import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { HeaderRecord } from '../../../shared/transport';
import { validateHeaderName } from '../../../shared/validation';

/** The "Headers" list of Publish and Request: name/value pairs, expressions allowed. */

export const headersField: INodeProperties = {
	displayName: 'Headers',
	name: 'headers',
	type: 'fixedCollection',
	placeholder: 'Add header',
	typeOptions: { multipleValues: true },
	default: {},
	description: 'Message headers, e.g. X-Tenant. A name given twice sends both values.',
	options: [
		{
			displayName: 'Header',
			name: 'header',
			values: [
				{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. X-Tenant', description: 'Letters, digits and -, no spaces or colons' },
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
};

export function readHeaders(fn: IExecuteFunctions, i: number): HeaderRecord {
	const list = (fn.getNodeParameter('headers.header', i, []) ?? []) as Array<{ name?: string; value?: unknown }>;
	const headers: HeaderRecord = {};
	for (const { name, value } of list) {
		const key = validateHeaderName(String(name ?? ''), 'Headers → Name');
		const text = String(value ?? '').replace(/[\r\n]+/g, ' ');
		const existing = headers[key];
		headers[key] = existing === undefined ? text : [...(Array.isArray(existing) ? existing : [existing]), text];
	}
	return headers;
}
