import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { PROGRESS_STEP_BYTES, progressLog, readInputFile } from './binaryIo';
import { binaryPropertyField, bucketField, objectContext, objectNameField, readBucket, readObjectName, readOptions } from './fields';
import { objectToJson } from './objectJson';
import { onObjects } from './objErrors';

const properties: INodeProperties[] = [
	bucketField,
	objectNameField,
	binaryPropertyField,
	{
		displayName: 'Options',
		name: 'objPutOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Description',
				name: 'description',
				type: 'string',
				default: '',
				description: 'A note stored with the object, shown by Get Object',
			},
			{
				displayName: 'Headers',
				name: 'headers',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true },
				default: {},
				placeholder: 'Add Header',
				description: 'Name/value pairs stored with the object. The file\'s MIME type is stored as Content-Type unless you set one here.',
				options: [
					{
						displayName: 'Header',
						name: 'header',
						values: [
							{ displayName: 'Name', name: 'name', type: 'string', default: '', placeholder: 'e.g. X-Customer' },
							{ displayName: 'Value', name: 'value', type: 'string', default: '' },
						],
					},
				],
			},
		],
	},
];

function readHeaders(options: IDataObject): Record<string, string> {
	const list = ((options.headers as IDataObject | undefined)?.header ?? []) as IDataObject[];
	const out: Record<string, string> = {};
	for (const { name, value } of list) {
		const key = String(name ?? '').trim();
		if (key === '') continue;
		if (!/^[!-9;-~]+$/.test(key)) {
			throw new InvalidParameterError('Headers', `Header name "${key}" contains a space, a colon or a character headers cannot hold`, 'Use letters, digits and - in header names, e.g. X-Customer');
		}
		out[key] = String(value ?? '');
	}
	return out;
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	return forEachItem(
		this,
		items,
		async (i): Promise<IDataObject> => {
			const bucket = readBucket(this, i);
			const name = readObjectName(this, i);
			const property = String(this.getNodeParameter('binaryPropertyName', i, 'data')).trim();
			const options = readOptions(this, 'objPutOptions', i);
			const headers = readHeaders(options);
			const file = await readInputFile(this, i, property);
			const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
			if (!hasType && file.binary.mimeType) headers['Content-Type'] = file.binary.mimeType;
			const size = Number(file.binary.fileSize) || undefined;
			const counter = size === undefined || size >= PROGRESS_STEP_BYTES ? progressLog(this, 'Stored', `"${name}" in bucket "${bucket}"`, size) : undefined;
			const description = String(options.description ?? '').trim() || undefined;
			const stored = await onObjects(bucket, name, () => store.put(bucket, { name, description, headers }, file.data, counter));
			return objectToJson(stored);
		},
		(i) => objectContext(this, i),
	);
}

export const uploadObjectOperation: Operation = {
	name: 'Upload Object',
	value: 'upload',
	action: 'Upload a file to an object store bucket',
	description: 'Store a file from a binary field under a name (replaces an object of the same name); streamed in chunks, any size',
	properties,
	execute,
};
