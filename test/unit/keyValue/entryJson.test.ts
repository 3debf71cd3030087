import type { StreamInfo } from '@nats-io/jetstream';
import type { KvEntry } from '@nats-io/kv';

import { bucketInfoToJson, decodeValue, entryToJson } from '../../../nodes/JetStream/actions/keyValue/entryJson';

const bytes = (text: string) => new TextEncoder().encode(text);

function entry(value: string | Uint8Array, operation: KvEntry['operation'] = 'PUT'): KvEntry {
	return {
		bucket: 'orders',
		key: 'orders.1',
		value: typeof value === 'string' ? bytes(value) : value,
		created: new Date('2024-05-01T12:00:00Z'),
		revision: 7,
		operation,
	} as KvEntry;
}

describe('Key-Value values as n8n JSON', () => {
	it('reads JSON as JSON and anything else as text in the automatic format', () => {
		expect(decodeValue(bytes('{"a":[1,2]}'))).toEqual({ value: { a: [1, 2] }, valueEncoding: 'json' });
		expect(decodeValue(bytes('42'))).toEqual({ value: 42, valueEncoding: 'json' });
		expect(decodeValue(bytes('true'))).toEqual({ value: true, valueEncoding: 'json' });
		expect(decodeValue(bytes('shipped'))).toEqual({ value: 'shipped', valueEncoding: 'text' });
		expect(decodeValue(bytes(''))).toEqual({ value: '', valueEncoding: 'text' });
	});

	it('keeps text as text in the text format, and gives binary data as Base64', () => {
		expect(decodeValue(bytes('42'), 'text')).toEqual({ value: '42', valueEncoding: 'text' });
		const binary = new Uint8Array([0xff, 0xfe, 0x00, 0x80]);
		expect(decodeValue(binary)).toEqual({ value: '//4AgA==', valueEncoding: 'base64' });
		expect(decodeValue(bytes('hi'), 'base64')).toEqual({ value: 'aGk=', valueEncoding: 'base64' });
	});

	it('fails clearly when JSON or text is required but the value is not', () => {
		expect(() => decodeValue(bytes('hello'), 'json', 'k')).toThrow('The value of key "k" is not valid JSON: "hello"');
		expect(() => decodeValue(new Uint8Array([0xff]), 'text', 'k')).toThrow('The value of key "k" is binary data, not text');
		expect(() => decodeValue(new Uint8Array([0xff]), 'json', 'k')).toThrow('binary data, not JSON');
	});

	it('turns an entry into an item with revision, operation and ISO time; a deletion has no value', () => {
		expect(entryToJson(entry('{"x":1}'), 'auto')).toEqual({
			bucket: 'orders',
			key: 'orders.1',
			value: { x: 1 },
			valueEncoding: 'json',
			revision: 7,
			operation: 'PUT',
			created: '2024-05-01T12:00:00.000Z',
		});
		expect(entryToJson(entry('', 'DEL'), 'auto')).toEqual({
			bucket: 'orders',
			key: 'orders.1',
			revision: 7,
			operation: 'DEL',
			created: '2024-05-01T12:00:00.000Z',
		});
	});

	it('describes a bucket by its own name and settings, not the stream\'s', () => {
		const info = {
			config: { name: 'KV_orders', max_msgs_per_subject: 5, max_age: 60e9, max_bytes: -1, max_msg_size: 1024, storage: 'memory', num_replicas: 1 },
			state: { messages: 3, bytes: 300 },
			created: '2024-05-01T12:00:00Z',
		} as unknown as StreamInfo;
		expect(bucketInfoToJson(info)).toEqual({
			bucket: 'orders',
			stream: 'KV_orders',
			values: 3,
			sizeBytes: 300,
			history: 5,
			ttlSeconds: 60,
			maxBytes: -1,
			maxValueSize: 1024,
			storage: 'memory',
			replicas: 1,
			description: '',
			compression: false,
			markerTtlSeconds: 0,
			created: '2024-05-01T12:00:00Z',
		});
	});
});
