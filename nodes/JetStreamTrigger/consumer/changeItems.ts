import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { kvChange } from '../../shared/keyValue/changes';
import { objectOperation, type StoredObjectMeta } from '../../shared/objectStore/objectMeta';
import type { DecodedMessage } from './hooks';

/**
 * The items of the key-value and object store triggers: what changed first (key, operation, value;
 * object name, size, digest), then the delivery's own fields as the JetStream Trigger gives them
 * (delivery count, what happens if the execution fails, ackToken), so every workflow pattern of
 * that trigger works here too.
 */

/** One key change: { bucket, key, operation, value, revision, created, …delivery fields }. */
export function kvChangeItem(messageItem: INodeExecutionData, message: DecodedMessage, bucket: string): INodeExecutionData {
	const { delivery } = message;
	const change = kvChange(bucket, delivery.subject, delivery.headers);
	const { payload, ...delivered } = messageItem.json;
	const json: IDataObject = {
		bucket,
		key: change.key,
		operation: change.operation,
		...(change.marker ? { markerReason: change.marker } : {}),
		value: payload,
		revision: delivery.streamSequence,
		created: delivery.timestamp,
		...delivered,
	};
	const binary = messageItem.binary;
	// A binary value is a file named after its key (the last part: orders.1234 → 1234).
	for (const data of Object.values(binary ?? {})) data.fileName = change.key;
	return binary ? { json, binary } : { json };
}

/** One object change: its description, and its bytes in the binary field when they were read. */
export function objectChangeItem(delivered: IDataObject, message: DecodedMessage, bucket: string, binaryProperty: string): INodeExecutionData {
	const meta = (message.payload.kind === 'json' ? message.payload.value : {}) as StoredObjectMeta;
	const operation = objectOperation(meta);
	const { content } = message;
	const json: IDataObject = {
		bucket,
		name: meta.name,
		operation,
		size: meta.size ?? 0,
		chunks: meta.chunks ?? 0,
		digest: meta.digest ?? null,
		modified: meta.mtime ?? null,
		description: meta.description ?? null,
		objectHeaders: (meta.headers ?? {}) as IDataObject,
		metadata: (meta.metadata ?? {}) as IDataObject,
		link: (meta.options?.link ?? null) as IDataObject | null,
		revision: message.delivery.streamSequence,
		contentAttached: content !== undefined && 'binary' in content,
		...(content && 'missing' in content ? { contentMissing: content.missing } : {}),
		...delivered,
	};
	return content && 'binary' in content ? { json, binary: { [binaryProperty]: content.binary } } : { json };
}
