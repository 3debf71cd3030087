import type { INodeProperties } from 'n8n-workflow';

import { ackModeFields, consumerOptions, options } from './description';
import { deadLetterFields, idempotencyFields, schemaCheckFields } from './featureFields';

/**
 * The panel of the key-value and object store triggers around their own bucket fields: the consumer
 * that remembers how far the workflow got, where it starts, and the JetStream Trigger's own
 * acknowledging, retry, dead-letter and duplicate fields (the same names, so they read the same way).
 */

export interface BucketPanel {
	/** "change", "object": what one execution is about. */
	what: string;
	/** The names of the JetStream Trigger's options that mean nothing here. */
	withoutOptions: string[];
	/** Whether a schema check applies (to a key's value; an object's description is not a payload). */
	schemaCheck: boolean;
}

function consumerName(what: string): INodeProperties {
	return {
		displayName: 'Consumer Name',
		name: 'consumerName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. order-status-sync',
		description: `Name of the durable consumer that remembers which ${what}s this workflow processed (letters, digits, - and _)`,
		hint: `Give each workflow its own name: n8n instances using the same name share the ${what}s, and a new name starts over`,
	};
}

function startWith(what: string, current: string): INodeProperties {
	return {
		displayName: 'Start With',
		name: 'startWith',
		type: 'options',
		noDataExpression: true,
		default: 'new',
		description: 'Where the first activation starts. Afterwards the trigger resumes where it left off, also after n8n or the server restarted.',
		options: [
			{ name: `New ${what}s Only`, value: 'new', description: `${what[0].toUpperCase()}${what.slice(1)}s made from the first activation on` },
			{ name: current, value: 'current', description: `One execution for each ${what === 'change' ? 'key' : 'object'} as it is now, then every ${what} after` },
		],
	};
}

export function bucketPanel(bucketFields: INodeProperties[], panel: BucketPanel, current: string): INodeProperties[] {
	const kept = options.options!.filter((option) => !panel.withoutOptions.includes(option.name));
	return [
		...bucketFields,
		consumerName(panel.what),
		startWith(panel.what, current),
		...ackModeFields,
		{ ...consumerOptions, displayOptions: undefined },
		...(panel.schemaCheck ? schemaCheckFields : []),
		...deadLetterFields,
		...idempotencyFields,
		{ ...options, options: kept },
	];
}
