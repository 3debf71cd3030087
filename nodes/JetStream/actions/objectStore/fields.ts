import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { locatorName, objectBucketLocator } from '../../../shared/n8n/locators';
import { validateObjectBucketName } from '../../../shared/objectStore/objectMeta';

export { validateObjectBucketName };

/** Fields shared by the Object Store operations, and reading them once per item. */

/** nats.js puts the name, base64url-encoded, into a subject: keep it well below the server's limits. */
const MAX_OBJECT_NAME_LENGTH = 1024;

export const bucketField: INodeProperties = objectBucketLocator();

export const objectNameField: INodeProperties = {
	displayName: 'Object Name',
	name: 'objName',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. invoices/2026/inv-1001.pdf',
	description: 'The name of the object (file) in the bucket. Any text; slashes are part of the name and can group files like folders.',
};

export const binaryPropertyField: INodeProperties = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	placeholder: 'e.g. data',
	hint: 'The name of the input binary field holding the file to store',
	description: 'Name of the binary field of the input item whose file is stored',
};

/** Any text; only empty names, names of spaces alone and very long names are refused. */
export function validateObjectName(value: unknown, field = 'Object Name'): string {
	const name = String(value ?? '');
	if (name.trim() === '') {
		throw new InvalidParameterError(field, `"${field}" is empty`, 'Enter the name of the object, e.g. invoices/inv-1001.pdf');
	}
	if (name.length > MAX_OBJECT_NAME_LENGTH) {
		throw new InvalidParameterError(field, `The object name in "${field}" is ${name.length} characters long; at most ${MAX_OBJECT_NAME_LENGTH} are allowed`, 'Use a shorter name');
	}
	return name;
}

export function bucketParameter(fn: IExecuteFunctions, itemIndex: number, parameter = 'objBucket'): string {
	return locatorName(fn.getNodeParameter(parameter, itemIndex, '', { extractValue: true }));
}

export function readBucket(fn: IExecuteFunctions, itemIndex: number): string {
	return validateObjectBucketName(bucketParameter(fn, itemIndex), 'Bucket');
}

export function readObjectName(fn: IExecuteFunctions, itemIndex: number, parameter = 'objName', field = 'Object Name'): string {
	return validateObjectName(fn.getNodeParameter(parameter, itemIndex, ''), field);
}

export function readOptions(fn: IExecuteFunctions, name: string, itemIndex: number): IDataObject {
	return (fn.getNodeParameter(name, itemIndex, {}) ?? {}) as IDataObject;
}

/** The error context of an item: the bucket and object it names, as far as they can be read. */
export function objectContext(fn: IExecuteFunctions, itemIndex: number): { bucket: string; key?: string } {
	const bucket = bucketParameter(fn, itemIndex);
	const name = fn.getNodeParameter('objName', itemIndex, '');
	return name ? { bucket, key: String(name) } : { bucket };
}
