import type { Readable } from 'node:stream';

import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { readSender } from '../../shared/audit/sender';
import { messageIdentity, originOf } from '../../shared/deadLetter';
import type { Delivery } from '../../shared/transport/delivery';
import type { TriggerSettings } from '../settings';
import { headerValue } from '../../shared/transport/headers';
import type { IfExecutionFails } from './answers';
import { kvChangeItem, objectChangeItem } from './changeItems';
import type { DecodedMessage } from './hooks';

/** n8n's prepareBinaryData: a buffer, or a stream it writes to its binary store as it reads. */
export type PrepareBinary = (data: Buffer | Readable, fileName?: string, mimeType?: string) => Promise<IBinaryData>;

/**
 * What becomes of the message if this execution fails, said in the item so that each execution in
 * n8n's list tells its part: the last failed delivery of a message says it goes to the dead-letter stream.
 */
export interface DeliveryPlan {
	/** The consumer's limit of deliveries; null when unlimited. */
	maxDeliveries: number | null;
	ifExecutionFails: IfExecutionFails;
}

/** Everything about the delivery a workflow may route on, plus the token to acknowledge it later. */
export function metadata(delivery: Delivery, plan?: DeliveryPlan): IDataObject {
	const { redrives } = originOf(delivery.headers, delivery.subject, undefined);
	return {
		subject: delivery.subject,
		headers: delivery.headers,
		stream: delivery.stream,
		consumer: delivery.consumer,
		streamSequence: delivery.streamSequence,
		consumerSequence: delivery.consumerSequence,
		deliveryCount: delivery.deliveryCount,
		...plan,
		timestamp: delivery.timestamp,
		/** Stored → now (the execution's start): how far behind the flow runs. */
		latencyMs: Math.max(0, Date.now() - delivery.storedAtMs),
		pending: delivery.pending,
		correlationId: headerValue(delivery.headers, 'X-Correlation-Id') ?? null,
		/** The producer's id, also for a redriven message (whose Nats-Msg-Id is the redrive's). */
		messageId: messageIdentity(delivery.headers) ?? null,
		redrives,
		ackToken: delivery.replySubject,
	};
}

/**
 * `sentBy`: the n8n instance, workflow, execution and node that published the message (its X-N8n-*
 * headers, decoded), so a chain of workflows can be followed; absent when the message names none.
 */
function sentBy(headers: Delivery['headers']): IDataObject {
	const sender = readSender(headers);
	return sender ? { sentBy: { ...sender } } : {};
}

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One n8n item per message, shaped by what the stream holds: messages, key changes or objects. */
export async function toItem(
	message: DecodedMessage,
	settings: Pick<TriggerSettings, 'payloadOnly' | 'binaryProperty' | 'source'>,
	prepareBinary: PrepareBinary,
	plan?: DeliveryPlan,
): Promise<INodeExecutionData> {
	const { source } = settings;
	if (source.kind === 'keyValue') return kvChangeItem(await messageItem(message, settings, prepareBinary, plan), message, source.bucket);
	if (source.kind === 'objectStore') return objectChangeItem(metadata(message.delivery, plan), message, source.bucket, settings.binaryProperty);
	return await messageItem(message, settings, prepareBinary, plan, true);
}

/** Payload and metadata side by side, or the payload itself ("Payload Only"). */
async function messageItem(
	message: DecodedMessage,
	settings: Pick<TriggerSettings, 'payloadOnly' | 'binaryProperty'>,
	prepareBinary: PrepareBinary,
	plan?: DeliveryPlan,
	withSender = false,
): Promise<INodeExecutionData> {
	const meta = { ...metadata(message.delivery, plan), ...(withSender ? sentBy(message.delivery.headers) : {}), ...(message.annotations as IDataObject | undefined) };
	const { payload } = message;
	let binary: INodeExecutionData['binary'];
	let value: unknown;
	if (payload.kind === 'binary') {
		const fileName = `message-${message.delivery.streamSequence}`;
		binary = { [settings.binaryProperty]: await prepareBinary(payload.value, fileName, payload.mimeType) };
		value = null;
	} else {
		value = payload.value;
	}
	const json: IDataObject = settings.payloadOnly
		? { ...(isPlainObject(value) ? value : { payload: value as IDataObject[keyof IDataObject] }), _jetstream: meta }
		: { payload: value as IDataObject[keyof IDataObject], ...meta };
	return binary ? { json, binary } : { json };
}
