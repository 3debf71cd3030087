import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { bucketLocator, locatorName } from '../../../shared/n8n/locators';
import { validateInteger } from '../../../shared/validation';
import { validateKvBucketName, validateKvKey } from '../../../shared/keyValue/keyRules';

/** Fields shared by the Key-Value operations, and reading them once per item. */

export const bucketField: INodeProperties = bucketLocator();

export const keyField: INodeProperties = {
	displayName: 'Key',
	name: 'kvKey',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. orders.1234',
	description:
		'The key to use. Letters, digits and - / _ = . are allowed; dots group keys (orders.1234) so they can be listed together.',
};

export const valueFromField: INodeProperties = {
	displayName: 'Value From',
	name: 'kvValueFrom',
	type: 'options',
	default: 'json',
	description: 'What to store as the value',
	options: [
		{ name: 'Whole Item (JSON)', value: 'json', description: 'The input item\'s JSON, stored as JSON text' },
		{ name: 'One Field of the Item', value: 'field', description: 'One field of the input item: text is stored as it is, anything else as JSON' },
		{ name: 'Text', value: 'text', description: 'Text you type or build with an expression, stored as it is' },
	],
};

export const valueFieldField: INodeProperties = {
	displayName: 'Field',
	name: 'kvValueField',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. order.status',
	description: 'Name of the item field whose value is stored; use dots for nested fields (order.status)',
	displayOptions: { show: { kvValueFrom: ['field'] } },
};

export const valueTextField: INodeProperties = {
	displayName: 'Value',
	name: 'kvValueText',
	type: 'string',
	default: '',
	typeOptions: { rows: 2 },
	placeholder: 'e.g. shipped',
	description: 'The value to store, exactly as written (an expression may build it)',
	displayOptions: { show: { kvValueFrom: ['text'] } },
};

/** The value fields of Put, Create and Update. */
export const valueFields: INodeProperties[] = [valueFromField, valueFieldField, valueTextField];

export const valueFormatOption: INodeProperties = {
	displayName: 'Value Format',
	name: 'valueFormat',
	type: 'options',
	default: 'auto',
	description: 'How to read the stored value',
	options: [
		{ name: 'Automatic', value: 'auto', description: 'JSON when the value is JSON (objects, numbers, true/false), otherwise text; binary data as Base64' },
		{ name: 'Base64', value: 'base64', description: 'The raw bytes, Base64-encoded' },
		{ name: 'JSON', value: 'json', description: 'Parse as JSON; fail when the value is not JSON' },
		{ name: 'Text', value: 'text', description: 'Always text, even when it looks like JSON or a number' },
	],
};

export const expectedRevisionOption: INodeProperties = {
	displayName: 'Expected Revision',
	name: 'expectedRevision',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 0,
	description:
		'Only write if the key is still at this revision (the "revision" a Get returned), so a change made by someone else in the meantime is not overwritten. 0 = write regardless.',
};

/** The bucket of item i as given (a picker's value or a plain name), unchecked. */
export function bucketParameter(fn: IExecuteFunctions, itemIndex: number): string {
	return locatorName(fn.getNodeParameter('kvBucket', itemIndex, '', { extractValue: true }));
}

export function readBucket(fn: IExecuteFunctions, itemIndex: number): string {
	return validateKvBucketName(bucketParameter(fn, itemIndex), 'Bucket');
}

export function readKey(fn: IExecuteFunctions, itemIndex: number): string {
	return validateKvKey(fn.getNodeParameter('kvKey', itemIndex), 'Key');
}

export function readOptions(fn: IExecuteFunctions, name: string, itemIndex: number): IDataObject {
	return (fn.getNodeParameter(name, itemIndex, {}) ?? {}) as IDataObject;
}

/** How to read a stored value: JSON when it is JSON (else text), or always one of them. */
export type ValueFormat = 'auto' | 'json' | 'text' | 'base64';

export function readValueFormat(options: IDataObject): ValueFormat {
	const format = options.valueFormat ?? 'auto';
	if (format === 'auto' || format === 'json' || format === 'text' || format === 'base64') return format;
	throw new InvalidParameterError('Value Format', `"${String(format)}" is not a value format`, 'Choose Automatic, JSON, Text or Base64');
}

/** A revision number from the UI; 0 or empty means "no condition". */
export function readRevision(value: unknown, field: string, min = 0): number {
	if (value === undefined || value === null || value === '') return 0;
	return validateInteger(value, field, min);
}

function fieldValue(json: IDataObject, path: string): unknown {
	// A field whose name itself contains dots wins over a nested path.
	if (path in json) return json[path];
	return path.split('.').reduce<unknown>((value, part) => (value && typeof value === 'object' ? (value as IDataObject)[part] : undefined), json);
}

function asText(value: unknown): string {
	return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The bytes to store for this item, from "Value From" and its field. */
export function readValue(fn: IExecuteFunctions, itemIndex: number, item: INodeExecutionData): string {
	const from = fn.getNodeParameter('kvValueFrom', itemIndex) as string;
	switch (from) {
		case 'json':
			return JSON.stringify(item.json);
		case 'field': {
			const path = String(fn.getNodeParameter('kvValueField', itemIndex)).trim();
			if (path === '') throw new InvalidParameterError('Field', '"Field" is empty', 'Enter the name of the item field to store, e.g. status');
			const value = fieldValue(item.json, path);
			if (value === undefined) {
				throw new InvalidParameterError('Field', `The item has no field "${path}"`, `Check the field name; the item has: ${Object.keys(item.json).slice(0, 10).join(', ') || 'no fields'}`);
			}
			return asText(value);
		}
		case 'text':
			return asText(fn.getNodeParameter('kvValueText', itemIndex, '') ?? '');
		default:
			throw new InvalidParameterError('Value From', `"${from}" is not a value source`, 'Choose Whole Item (JSON), One Field of the Item, or Text');
	}
}
