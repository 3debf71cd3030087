import type { IDataObject } from 'n8n-workflow';
import type { StreamInfo } from '@nats-io/jetstream';
import type { KvEntry } from '@nats-io/kv';

import { JetStreamNodeError } from '../../../shared/errors';
import { settingsFromConfig } from './bucketSettings';
import type { ValueFormat } from './fields';

/** Turning KV entries and bucket infos into n8n JSON. */

export type ValueEncoding = 'json' | 'text' | 'base64';

export interface DecodedValue {
	value: unknown;
	valueEncoding: ValueEncoding;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function utf8(bytes: Uint8Array): string | undefined {
	try {
		return strictUtf8.decode(bytes);
	} catch {
		// Not UTF-8: binary data; the caller falls back to base64.
		return undefined;
	}
}

function base64(bytes: Uint8Array): DecodedValue {
	return { value: Buffer.from(bytes).toString('base64'), valueEncoding: 'base64' };
}

/** Decodes a stored value; `key` only names the key in the error of the JSON format. */
export function decodeValue(bytes: Uint8Array, format: ValueFormat = 'auto', key = ''): DecodedValue {
	if (format === 'base64') return base64(bytes);
	const text = utf8(bytes);
	if (text === undefined) {
		if (format === 'auto') return base64(bytes);
		throw new JetStreamNodeError('invalid-input', `The value of key "${key}" is binary data, not ${format === 'json' ? 'JSON' : 'text'}`, {
			hint: 'Set "Value Format" to Base64 (or Automatic) to read it',
		});
	}
	if (format === 'text') return { value: text, valueEncoding: 'text' };
	const parsed = parseJson(text);
	if (parsed) return { value: parsed.value, valueEncoding: 'json' };
	// Not JSON: plain text, unless the user asked for JSON only.
	if (format === 'auto') return { value: text, valueEncoding: 'text' };
	throw new JetStreamNodeError('invalid-input', `The value of key "${key}" is not valid JSON: "${text.slice(0, 80)}"`, {
		hint: 'Set "Value Format" to Text (or Automatic) to read it as text',
	});
}

function parseJson(text: string): { value: unknown } | undefined {
	try {
		return { value: JSON.parse(text) as unknown };
	} catch {
		// Not JSON; the caller decides whether that is text or an error.
		return undefined;
	}
}

/** A key's value (or one revision of it) as an output item. */
export function entryToJson(entry: KvEntry, format: ValueFormat): IDataObject {
	const json: IDataObject = { bucket: entry.bucket, key: entry.key };
	if (entry.operation === 'PUT') Object.assign(json, decodeValue(entry.value, format, entry.key));
	return {
		...json,
		revision: entry.revision,
		operation: entry.operation,
		created: entry.created.toISOString(),
	};
}

/** A bucket's settings and state as an output item. */
export function bucketInfoToJson(info: StreamInfo): IDataObject {
	const name = info.config.name;
	const settings = settingsFromConfig(info.config);
	return {
		bucket: name.startsWith('KV_') ? name.slice(3) : name,
		stream: name,
		values: info.state.messages,
		sizeBytes: info.state.bytes,
		...settings,
		created: info.created,
	};
}
