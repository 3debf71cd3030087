import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ObjectStoreAccess, type NatsClient } from '../../../shared/transport';
import { errorItem, itemError } from '../perItem';
import type { Operation } from '../types';
import { fileNameOf, mimeTypeFor, PROGRESS_STEP_BYTES, progressLog } from './binaryIo';
import { bucketField, objectContext, objectNameField, readBucket, readObjectName } from './fields';
import { objectToJson } from './objectJson';
import { objectMissing, onObjects } from './objErrors';

const properties: INodeProperties[] = [
	bucketField,
	objectNameField,
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		placeholder: 'e.g. data',
		hint: 'The name of the output binary field to put the file in',
		description: 'Name of the binary field of the output item that receives the file',
	},
];

async function getOne(fn: IExecuteFunctions, store: ObjectStoreAccess, i: number): Promise<INodeExecutionData> {
	const bucket = readBucket(fn, i);
	const name = readObjectName(fn, i);
	const property = String(fn.getNodeParameter('binaryPropertyName', i, 'data')).trim() || 'data';
	return onObjects(bucket, name, async () => {
		const download = await store.get(bucket, name, (info) =>
			info.size >= PROGRESS_STEP_BYTES ? progressLog(fn, 'Read', `"${name}" from bucket "${bucket}"`, info.size) : undefined,
		);
		if (!download) throw objectMissing(bucket, name);
		const { info, data } = download;
		// n8n writes the stream where it keeps binary data (memory, disk or S3); a failed digest check fails it.
		const binary = await fn.helpers.prepareBinaryData(data, fileNameOf(name), mimeTypeFor(name, info.headers));
		const json: IDataObject = { ...objectToJson(info), fileName: binary.fileName ?? fileNameOf(name), mimeType: binary.mimeType, binaryField: property };
		return { json, binary: { [property]: binary }, pairedItem: { item: i } };
	});
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
	const store = new ObjectStoreAccess(client);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			out.push(await getOne(this, store, i));
		} catch (error) {
			const failure = itemError(this, error, i, objectContext(this, i));
			if (!this.continueOnFail()) throw failure;
			out.push(errorItem(failure, i));
		}
	}
	return out;
}

export const downloadObjectOperation: Operation = {
	name: 'Download Object',
	value: 'download',
	action: 'Download a file from an object store bucket',
	description: 'Read an object into a binary field, with its file name and MIME type; the content is checked against its SHA-256 digest',
	properties,
	execute,
};
