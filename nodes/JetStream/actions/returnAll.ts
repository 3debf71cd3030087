import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { validateInteger } from '../../shared/validation';

/** n8n's "Get Many" pair: Return All, or at most Limit results. */
export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** How many results item `i` asks for: `Infinity` with Return All. */
export function readLimit(fn: IExecuteFunctions, i: number): number {
	if (fn.getNodeParameter('returnAll', i, false) === true) return Infinity;
	return validateInteger(fn.getNodeParameter('limit', i, 50), 'Limit', 1);
}

/** The first `limit` entries of an async listing; stops reading (and the server-side listing) there. */
/** The entries of `source` that `keep` accepts (e.g. the streams under a credential's Subject Prefix). */
export async function* keepOnly<T>(source: AsyncIterable<T>, keep: (entry: T) => boolean): AsyncGenerator<T> {
	for await (const entry of source) if (keep(entry)) yield entry;
}

export async function takeUpTo<T>(source: AsyncIterable<T>, limit: number): Promise<T[]> {
	const out: T[] = [];
	if (limit <= 0) return out;
	for await (const entry of source) {
		out.push(entry);
		if (out.length >= limit) break;
	}
	return out;
}
