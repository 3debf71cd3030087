import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { locatorName, streamLocator } from '../../../shared/n8n/locators';
import { requireServerVersion } from '../../../shared/serverVersion';
import { validateStreamName } from '../../../shared/validation';
import type { EnvelopeMode } from './cloudEvents';

/** Publish's optional settings, read per item into one typed object. */

export interface PublishOptions {
	expectedStream?: string;
	expectedLastSequence?: number;
	expectedLastSubjectSequence?: number;
	expectedLastMsgId?: string;
	/** 0: the message stays as long as the stream keeps it. */
	ttlSeconds?: number;
	/** Empty: take it from the item (correlationId field or X-Correlation-Id header) or generate one. */
	correlationId: string;
	generateCorrelationId: boolean;
	propagateTrace: boolean;
	envelope: EnvelopeMode;
	eventType: string;
	eventSource: string;
	/** Encrypt the body with the credential's first encryption key (AES-256-GCM). */
	encrypt?: boolean;
	/** Add the X-N8n-* headers naming this instance, workflow, execution and node. */
	senderHeaders: boolean;
}

/** "Add Sender Headers" of Publish and Request: on by default. */
export const senderHeadersOption: INodeProperties = {
	displayName: 'Add Sender Headers',
	name: 'senderHeaders',
	type: 'boolean',
	default: true,
	hint: 'X-N8n-Instance-Id, X-N8n-Workflow-Id, X-N8n-Workflow-Name, X-N8n-Execution-Id, X-N8n-Node; a JetStream Trigger shows them as "sentBy"',
	description: 'Whether to name this n8n instance, workflow, execution and node in headers, so a message can be traced back to the execution that sent it. Values are percent-encoded (non-ASCII, line breaks) and cut at 256 characters. If Headers sets any of these names, none is added and yours go out as they are (e.g. a relay passing the original sender on).',
};

export const publishOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'publishOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		senderHeadersOption,
		{
			displayName: 'All Items or None',
			name: 'allOrNone',
			type: 'boolean',
			default: false,
			hint: 'Needs nats-server 2.12+ and a stream with "Allow Atomic Batches" (allow_atomic) on; at most 1 000 items',
			description: 'Whether to publish the items of this execution as one atomic batch: the stream stores all of them or none (an invalid item stops the run before anything is sent). Off: each item is stored on its own, many at a time.',
		},
		{
			displayName: 'CloudEvents Envelope',
			name: 'envelope',
			type: 'options',
			default: 'none',
			description: 'Wrap the payload as a CloudEvents 1.0 event (id = idempotency key or a new ID, source, type, time)',
			options: [
				{ name: 'None', value: 'none', description: 'Send the payload as it is' },
				{ name: 'Structured (JSON Document)', value: 'structured', description: 'The body becomes {specversion, id, source, type, time, datacontenttype, data}' },
				{ name: 'Binary (Ce-* Headers)', value: 'binary', description: 'The body stays the payload; the event attributes go into ce-* headers' },
			],
		},
		{
			displayName: 'Encrypt Payload',
			name: 'encrypt',
			type: 'boolean',
			default: false,
			hint: 'Needs "Encryption Keys" in the NATS credential; the stream then stores only ciphertext',
			description: 'Whether to encrypt the body end to end with the credential\'s first encryption key (AES-256-GCM); the X-Enc-Key-Id and X-Enc-Alg headers say how. Headers (idempotency key, correlation and trace IDs) stay readable.',
		},
		{
			displayName: 'Correlation ID',
			name: 'correlationId',
			type: 'string',
			default: '',
			description: 'Sent as the X-Correlation-Id header. Empty: the item\'s correlationId (e.g. from a JetStream Trigger) or a new ID.',
		},
		{
			displayName: 'Event Source',
			name: 'eventSource',
			type: 'string',
			default: '',
			placeholder: 'e.g. https://shop.example.com/orders',
			description: 'CloudEvents "source". Empty: n8n://workflow/<workflow ID>.',
		},
		{
			displayName: 'Event Type',
			name: 'eventType',
			type: 'string',
			default: '',
			placeholder: 'e.g. com.example.order.created',
			description: 'CloudEvents "type" (required with an envelope)',
		},
		{
			displayName: 'Expected Last Message ID',
			name: 'expectedLastMsgId',
			type: 'string',
			default: '',
			description: 'Store the message only if the stream\'s last message has this Idempotency Key (Nats-Msg-Id); otherwise fail and say the current one (optimistic concurrency). Empty = no check.',
		},
		{
			displayName: 'Expected Last Sequence',
			name: 'expectedLastSequence',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			description: 'Store the message only if the stream\'s last sequence is this number (optimistic concurrency). 0 = no check.',
		},
		{
			displayName: 'Expected Last Subject Sequence',
			name: 'expectedLastSubjectSequence',
			type: 'number',
			default: -1,
			description: 'Store only if the last message on this subject has this sequence (0 = the subject must have no message yet). -1 = no check.',
		},
		streamLocator({
			name: 'expectedStream',
			displayName: 'Expected Stream',
			required: false,
			description: 'Store only if this stream captures the subject; otherwise fail',
		}),
		{
			displayName: 'Generate Correlation ID',
			name: 'generateCorrelationId',
			type: 'boolean',
			default: true,
			description: 'Whether to create a correlation ID when neither the option nor the item has one',
		},
		{
			displayName: 'Max Publishes in Flight',
			name: 'maxInFlight',
			type: 'number',
			default: 256,
			typeOptions: { minValue: 1, maxValue: 10000 },
			description: 'How many messages may wait for JetStream\'s acknowledgement at once. Higher is faster for many items; 1 sends one at a time.',
		},
		{
			displayName: 'Propagate Trace Context',
			name: 'propagateTrace',
			type: 'boolean',
			default: true,
			description: 'Whether to pass on W3C traceparent/tracestate found in the item (its headers, e.g. from a trigger, or top-level fields)',
		},
		{
			displayName: 'Time To Live (Seconds)',
			name: 'ttlSeconds',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0 },
			hint: 'Needs nats-server 2.11+ and a stream with "Allow Per-Message TTL" (allow_msg_ttl) on',
			description: 'The stream removes this message after so many seconds, whatever its own limits say (Nats-TTL). 0 = keep it as long as the stream keeps its messages.',
		},
	],
};

export function readPublishOptions(fn: IExecuteFunctions, i: number): PublishOptions {
	const o = (fn.getNodeParameter('publishOptions', i, {}) ?? {}) as IDataObject;
	const stream = locatorName(o.expectedStream).trim();
	const lastSeq = Number(o.expectedLastSequence ?? 0);
	const lastSubjectSeq = Number(o.expectedLastSubjectSequence ?? -1);
	const lastMsgId = String(o.expectedLastMsgId ?? '').trim();
	const options: PublishOptions = {
		expectedStream: stream ? validateStreamName(stream, 'Expected Stream') : undefined,
		expectedLastSequence: lastSeq > 0 ? Math.floor(lastSeq) : undefined,
		expectedLastSubjectSequence: lastSubjectSeq >= 0 ? Math.floor(lastSubjectSeq) : undefined,
		expectedLastMsgId: lastMsgId || undefined,
		ttlSeconds: readTtl(o.ttlSeconds),
		correlationId: String(o.correlationId ?? '').trim(),
		generateCorrelationId: o.generateCorrelationId !== false,
		propagateTrace: o.propagateTrace !== false,
		envelope: (o.envelope as EnvelopeMode) ?? 'none',
		eventType: String(o.eventType ?? '').trim(),
		eventSource: String(o.eventSource ?? '').trim(),
		encrypt: o.encrypt === true,
		senderHeaders: o.senderHeaders !== false,
	};
	if (options.envelope !== 'none' && !options.eventType) {
		throw new InvalidParameterError('eventType', '"Event Type" is empty', 'A CloudEvents envelope needs a type, e.g. com.example.order.created');
	}
	return options;
}

function readTtl(value: unknown): number {
	const ttl = Number(value ?? 0);
	if (!Number.isFinite(ttl) || ttl < 0 || (ttl > 0 && !Number.isInteger(ttl))) {
		throw new InvalidParameterError('ttlSeconds', `"Time To Live (Seconds)" cannot be ${String(value)}`, 'Use a whole number of seconds, e.g. 3600 for an hour; 0 keeps the message as long as the stream does');
	}
	return ttl;
}

/** Refuses, before anything is sent, an option the connected server would ignore or refuse. */
export function requireOptionsServer(options: PublishOptions, serverVersion: string): void {
	if (options.ttlSeconds) requireServerVersion(serverVersion, '2.11.0', 'Time To Live');
}

/** Read once per execution (item 0): whether the items go out as one atomic batch. */
export function readAllOrNone(fn: IExecuteFunctions): boolean {
	const o = (fn.getNodeParameter('publishOptions', 0, {}) ?? {}) as IDataObject;
	return o.allOrNone === true;
}

/** Read once per execution (item 0): how many acknowledgements may be awaited at the same time. */
export function readWindow(fn: IExecuteFunctions): number {
	const o = (fn.getNodeParameter('publishOptions', 0, {}) ?? {}) as IDataObject;
	const window = Math.floor(Number(o.maxInFlight ?? 256));
	if (!Number.isFinite(window) || window < 1 || window > 10_000) {
		throw new InvalidParameterError('maxInFlight', `"Max Publishes in Flight" cannot be ${String(o.maxInFlight)}`, 'Use a number from 1 to 10000; 256 suits most cases');
	}
	return window;
}
