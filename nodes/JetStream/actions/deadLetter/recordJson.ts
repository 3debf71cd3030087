import type { IDataObject } from 'n8n-workflow';

import type { DeadLetterRecord } from '../../../shared/deadLetter';
import { headerValue } from '../../../shared/transport/headers';
import { DecryptError, EncryptionHeaders, isEncrypted, openPayload, type EncryptionKey } from '../../../shared/payload/crypto';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The payload as JSON when it is JSON, as text when it is UTF-8, otherwise base64. */
function payload(data: Uint8Array): { payload: IDataObject[string]; payloadEncoding: 'json' | 'text' | 'base64' } {
	let textValue: string;
	try {
		textValue = decoder.decode(data);
	} catch {
		// Not UTF-8: binary payloads are shown as base64.
		return { payload: Buffer.from(data).toString('base64'), payloadEncoding: 'base64' };
	}
	try {
		return { payload: JSON.parse(textValue) as IDataObject[string], payloadEncoding: 'json' };
	} catch {
		// Plain text.
		return { payload: textValue, payloadEncoding: 'text' };
	}
}

/** Empty envelope fields (an older dead letter, a caller that did not know) are null, not "". */
const orNull = (value: string) => (value === '' ? null : value);

/**
 * The payload of an encrypted dead letter (the copy keeps the ciphertext): in clear text when the
 * credential has its key (bound to the original subject), else the ciphertext as base64 and why.
 */
function clearPayload(record: DeadLetterRecord, keys: readonly EncryptionKey[]): IDataObject {
	if (!isEncrypted(record.headers)) return { encryptedWith: null, ...payload(record.data) };
	const encryptedWith = headerValue(record.headers, EncryptionHeaders.KeyId) ?? '';
	const opened = openPayload(record.originalSubject, record.data, record.headers, keys);
	if (opened instanceof DecryptError) return { encryptedWith, decryptError: opened.message, payload: Buffer.from(record.data).toString('base64'), payloadEncoding: 'base64' };
	return { encryptedWith, ...payload(opened) };
}

/** A dead letter as n8n JSON: where it is, why it is there, where it came from, and the original message. */
export function recordToJson(record: DeadLetterRecord, keys: readonly EncryptionKey[] = []): IDataObject {
	return {
		dlqStream: record.dlqStream,
		dlqSequence: record.dlqSequence,
		dlqSubject: record.dlqSubject,
		storedAt: record.storedAt,
		deadLetteredAt: record.deadLetteredAt || record.storedAt,
		reason: orNull(record.reason),
		error: orNull(record.error),
		originalStream: orNull(record.originalStream),
		originalSubject: orNull(record.originalSubject),
		originalSequence: record.originalSequence,
		originalConsumer: orNull(record.originalConsumer),
		originalTime: orNull(record.originalTime),
		originalMsgId: orNull(record.originalMsgId),
		deliveryCount: record.deliveryCount,
		redrives: record.redrives,
		failedNode: orNull(record.failedNode),
		workflowId: orNull(record.workflowId),
		workflowName: orNull(record.workflowName),
		executionStartedAt: orNull(record.executionStartedAt),
		executionId: orNull(record.executionId),
		redactedFields: record.redactedFields,
		droppedHeaders: record.droppedHeaders,
		headers: record.headers as IDataObject,
		...clearPayload(record, keys),
		sizeBytes: record.data.length,
	};
}
