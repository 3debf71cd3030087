import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { itemNumber } from '../perItem';

/**
 * Where a message body comes from — the whole item, one field, text, or a binary property — shared by
 * Publish and Request. The result keeps the kind, so an envelope can say what the data is.
 */

export type PayloadSource = 'json' | 'field' | 'text' | 'binary';

export interface Payload {
	data: Uint8Array;
	kind: 'json' | 'text' | 'binary';
	/** The JSON value (kind json) or the text (kind text), for envelopes; undefined for binary. */
	value?: unknown;
	contentType: string;
}

const encoder = new TextEncoder();
const show = (source: PayloadSource) => ({ show: { payloadSource: [source] } });

export const payloadFields: INodeProperties[] = [
	{
		displayName: 'Payload',
		name: 'payloadSource',
		type: 'options',
		default: 'json',
		description: 'What to send as the message body',
		options: [
			{ name: 'Whole Item (JSON)', value: 'json', description: 'The input item\'s JSON, as a JSON document; an item from a NATS or JetStream trigger sends the message it carries (its payload), never its ack token' },
			{ name: 'One Field', value: 'field', description: 'One field of the input item: text stays text, anything else is sent as JSON' },
			{ name: 'Text', value: 'text', description: 'Text you write here (expressions allowed)' },
			{ name: 'Binary File', value: 'binary', description: 'The bytes of a binary property of the input item, unchanged' },
		],
	},
	{
		displayName: 'Field',
		name: 'payloadField',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. order',
		description: 'Name of the field to send; use dots for nested fields, e.g. order.lines',
		displayOptions: show('field'),
	},
	{
		displayName: 'Text',
		name: 'payloadText',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The body to send, e.g. {{ $json.message }}',
		displayOptions: show('text'),
	},
	{
		displayName: 'Binary Property',
		name: 'payloadBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		description: 'Name of the binary property of the input item whose bytes are sent',
		displayOptions: show('binary'),
	},
];

function fieldValue(json: IDataObject, path: string): unknown {
	return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as IDataObject)[key] : undefined), json);
}

/**
 * An item straight from the JetStream Trigger (or the NATS Request Trigger) is a wrapper: the message
 * is in `payload`, next to its subject, headers and ack token. Passing it on means passing the message
 * on — never the wrapper, whose ack token would let every consumer downstream answer for this one.
 */
function wholeItem(json: IDataObject): unknown {
	const fromTrigger = typeof json.ackToken === 'string' || (typeof json.replyTo === 'string' && typeof json.subject === 'string');
	if (!fromTrigger) return json;
	if ('payload' in json) return json.payload;
	const rest = { ...json };
	delete rest.ackToken;
	return rest;
}

function jsonPayload(value: unknown): Payload {
	return { data: encoder.encode(JSON.stringify(value ?? null)), kind: 'json', value, contentType: 'application/json' };
}

function textPayload(text: string): Payload {
	return { data: encoder.encode(text), kind: 'text', value: text, contentType: 'text/plain; charset=utf-8' };
}

async function binaryPayload(fn: IExecuteFunctions, i: number, item: INodeExecutionData): Promise<Payload> {
	const property = String(fn.getNodeParameter('payloadBinaryProperty', i, 'data')).trim();
	if (!item.binary?.[property]) {
		const present = Object.keys(item.binary ?? {});
		throw new InvalidParameterError(
			'payloadBinaryProperty',
			`Item ${itemNumber(i)} has no binary property "${property}"`,
			present.length ? `This item has: ${present.join(', ')}` : 'The input item carries no binary data; add a node that reads or downloads a file before this one',
		);
	}
	const buffer = await fn.helpers.getBinaryDataBuffer(i, property);
	return { data: new Uint8Array(buffer), kind: 'binary', contentType: item.binary[property].mimeType || 'application/octet-stream' };
}

/**
 * The payload of item i. Only a binary file needs to wait (for n8n's binary store); the other sources
 * return at once, which lets a publish loop hand many messages to the client in one tick — and the
 * client to write them to the socket in one go.
 */
export function readPayload(fn: IExecuteFunctions, i: number, item: INodeExecutionData): Payload | Promise<Payload> {
	const source = fn.getNodeParameter('payloadSource', i, 'json') as PayloadSource;
	switch (source) {
		case 'json':
			return jsonPayload(wholeItem(item.json));
		case 'field': {
			const path = String(fn.getNodeParameter('payloadField', i, '')).trim();
			if (!path) throw new InvalidParameterError('payloadField', '"Field" is empty', 'Enter the name of the field to send, e.g. order');
			const value = fieldValue(item.json, path);
			if (value === undefined) {
				throw new InvalidParameterError('payloadField', `Item ${itemNumber(i)} has no field "${path}"`, `Fields of this item: ${Object.keys(item.json).slice(0, 20).join(', ') || '(none)'}`);
			}
			return typeof value === 'string' ? textPayload(value) : jsonPayload(value);
		}
		case 'text':
			return textPayload(String(fn.getNodeParameter('payloadText', i, '')));
		case 'binary':
			return binaryPayload(fn, i, item);
		default:
			throw new InvalidParameterError('payloadSource', `"Payload" cannot be "${String(source)}"`, 'Choose Whole Item, One Field, Text or Binary File');
	}
}
