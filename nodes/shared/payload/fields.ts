import type { INodeProperties } from 'n8n-workflow';

/** How a trigger reads message bytes (see decode.ts); `jsonHint` says what happens to a message that is not JSON. */
export function contentField(what: string, jsonHint: string): INodeProperties {
	return {
		displayName: 'Content',
		name: 'content',
		type: 'options',
		default: 'auto',
		description: `How to read the ${what}`,
		options: [
			{ name: 'Auto', value: 'auto', description: 'JSON when it parses, otherwise text, otherwise binary' },
			{ name: 'Binary', value: 'binary', description: 'As a file in the binary field' },
			{ name: 'JSON', value: 'json', description: `As JSON; ${jsonHint}` },
			{ name: 'Text', value: 'text', description: 'As a string' },
		],
	};
}

export const binaryPropertyField: INodeProperties = {
	displayName: 'Binary Property',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	description: 'Name of the binary field that holds a binary payload',
};
