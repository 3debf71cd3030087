import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_DLQ_STREAM } from '../deadLetter/naming';
import { BUCKET_RULE, NAME_RULE, SCHEMA_NAME_RULE } from '../validation';

/**
 * The "From List / By Name" pickers of every name a user types: stream, consumer, key-value bucket,
 * dead-letter stream, schema. "From List" asks the server (the listSearch methods of listSearch.ts,
 * registered under these names by both nodes); "By Name" is a plain name, which needs no right to
 * list anything. NATS names are their own ids, so there is no "By ID". Where listing fails, the
 * list's error says to choose "By Name" (listSearch.ts); the field itself carries no such hint.
 */

export const SEARCH_METHODS = {
	streams: 'searchStreams',
	consumers: 'searchConsumers',
	buckets: 'searchBuckets',
	objectBuckets: 'searchObjectBuckets',
	deadLetterStreams: 'searchDeadLetterStreams',
	schemas: 'searchSchemas',
} as const;

/**
 * What the editor checks a typed name against, while it is typed; n8n anchors them (^…$) itself.
 * They are the rules of validation.ts, which the nodes check again when they run (validateName,
 * validateKvBucketName, validateBucketName, validateSchemaName).
 */
export const NAME_PATTERNS = {
	/** Streams and consumers: no whitespace, dots, wildcards or path separators. */
	stream: NAME_RULE,
	bucket: BUCKET_RULE,
	schema: SCHEMA_NAME_RULE,
} as const;

export interface LocatorOptions {
	/** Parameter name; each builder has the usual one as default. */
	name?: string;
	displayName?: string;
	description?: string;
	required?: boolean;
	/** 'list' unless the field is usually a new name (Create). */
	defaultMode?: 'list' | 'name';
	defaultValue?: string;
	displayOptions?: IDisplayOptions;
}

interface Picker {
	name: string;
	displayName: string;
	description: string;
	/** "stream", "consumer": used in the placeholders. */
	what: string;
	placeholder: string;
	method: string;
	pattern: string;
	patternMessage: string;
}

function locator(picker: Picker, options: LocatorOptions): INodeProperties {
	return {
		displayName: options.displayName ?? picker.displayName,
		name: options.name ?? picker.name,
		type: 'resourceLocator',
		default: { mode: options.defaultMode ?? 'list', value: options.defaultValue ?? '' },
		required: options.required ?? true,
		description: options.description ?? picker.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: `Select a ${picker.what}...`,
				typeOptions: { searchListMethod: picker.method, searchable: true },
			},
			{
				displayName: 'By Name',
				name: 'name',
				type: 'string',
				placeholder: picker.placeholder,
				validation: [{ type: 'regex', properties: { regex: picker.pattern, errorMessage: picker.patternMessage } }],
			},
		],
		...(options.displayOptions ? { displayOptions: options.displayOptions } : {}),
	};
}

const STREAM_RULE = 'Letters, digits, - and _ only: no spaces, dots, *, >, / or \\';

export function streamLocator(options: LocatorOptions = {}): INodeProperties {
	return locator(
		{
			name: 'stream',
			displayName: 'Stream',
			description: 'Name of the stream (letters, digits, - and _; no spaces, dots or wildcards)',
			what: 'stream',
			placeholder: 'e.g. ORDERS',
			method: SEARCH_METHODS.streams,
			pattern: NAME_PATTERNS.stream,
			patternMessage: `Not a valid stream name. ${STREAM_RULE}`,
		},
		options,
	);
}

/** The consumers of the stream in the parameter `stream` of the same node. */
export function consumerLocator(options: LocatorOptions = {}): INodeProperties {
	return locator(
		{
			name: 'consumerName',
			displayName: 'Consumer Name',
			description: 'Name of the durable consumer (letters, digits, - and _): it remembers how far it has read',
			what: 'consumer',
			placeholder: 'e.g. billing',
			method: SEARCH_METHODS.consumers,
			pattern: NAME_PATTERNS.stream,
			patternMessage: `Not a valid consumer name. ${STREAM_RULE}`,
		},
		options,
	);
}

export function bucketLocator(options: LocatorOptions = {}): INodeProperties {
	return locator(
		{
			name: 'kvBucket',
			displayName: 'Bucket',
			description: 'Name of the Key-Value bucket: a named store of keys and values kept by the NATS server (letters, digits, - and _)',
			what: 'bucket',
			placeholder: 'e.g. orders_state',
			method: SEARCH_METHODS.buckets,
			pattern: NAME_PATTERNS.bucket,
			patternMessage: 'Not a valid bucket name. Letters, digits, - and _ only: no spaces, dots or other symbols',
		},
		options,
	);
}

/** Object-store buckets: the streams OBJ_<bucket>; same naming rule as key-value buckets. */
export function objectBucketLocator(options: LocatorOptions = {}): INodeProperties {
	return locator(
		{
			name: 'objBucket',
			displayName: 'Bucket',
			description: 'Name of the Object Store bucket: a named store of files kept by the NATS server (letters, digits, - and _)',
			what: 'bucket',
			placeholder: 'e.g. invoices',
			method: SEARCH_METHODS.objectBuckets,
			pattern: NAME_PATTERNS.bucket,
			patternMessage: 'Not a valid bucket name. Letters, digits, - and _ only: no spaces, dots or other symbols',
		},
		options,
	);
}

/** Lists every stream, those capturing dead-letter subjects (dlq.>) first. */
export function deadLetterStreamLocator(options: LocatorOptions = {}): INodeProperties {
	return locator(
		{
			name: 'dlqStream',
			displayName: 'Dead-Letter Stream',
			description: 'The stream that stores failed messages (the dead-letter queue)',
			what: 'stream',
			placeholder: `e.g. ${DEFAULT_DLQ_STREAM}`,
			method: SEARCH_METHODS.deadLetterStreams,
			pattern: NAME_PATTERNS.stream,
			patternMessage: `Not a valid stream name. ${STREAM_RULE}`,
		},
		options,
	);
}

/** The schemas of the registry bucket in the parameter `registryBucket` of the same node. */
export function schemaLocator(options: LocatorOptions = {}): INodeProperties {
	return locator(
		{
			name: 'schemaName',
			displayName: 'Schema Name',
			description: 'Name of the event contract, e.g. order.created',
			what: 'schema',
			placeholder: 'e.g. order.created',
			method: SEARCH_METHODS.schemas,
			pattern: NAME_PATTERNS.schema,
			patternMessage: 'Not a valid schema name. Letters, digits, - and _, with dots between words (order.created)',
		},
		options,
	);
}

/**
 * The name in a picker's value. n8n's `extractValue` turns a locator (`{ __rl, mode, value }`) into
 * its value for a top-level parameter; a picker inside a collection, or a value left by the other
 * variant of a parameter, can still be one. Workflows from before the pickers hold a plain string.
 */
export function locatorName(value: unknown): string {
	if (value !== null && typeof value === 'object' && 'value' in value) return locatorName((value as { value: unknown }).value);
	if (value === undefined || value === null) return '';
	return String(value);
}
