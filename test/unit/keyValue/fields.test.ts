import type { INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { readRevision, readValue, readValueFormat } from '../../../nodes/JetStream/actions/keyValue/fields';
import { readBucketSettings } from '../../../nodes/JetStream/actions/keyValue/bucketSettings';
import { properties } from '../../../nodes/JetStream/actions/description';
import { keyValueResource } from '../../../nodes/JetStream/actions/keyValue/KeyValue.resource';
import { fakeExecute } from '../../helpers/fakeExecute';

const item: INodeExecutionData = { json: { id: 7, order: { status: 'paid', lines: [1, 2] }, 'a.b': 'flat' } };

function valueOf(params: Record<string, unknown>): string {
	const { context } = fakeExecute({ params, items: [item] });
	return readValue(context, 0, item);
}

describe('Key-Value node fields', () => {
	it('stores the whole item as JSON, a text field as it is, other fields as JSON', () => {
		expect(valueOf({ kvValueFrom: 'json' })).toBe(JSON.stringify(item.json));
		expect(valueOf({ kvValueFrom: 'field', kvValueField: 'order.status' })).toBe('paid');
		expect(valueOf({ kvValueFrom: 'field', kvValueField: 'order.lines' })).toBe('[1,2]');
		expect(valueOf({ kvValueFrom: 'field', kvValueField: 'id' })).toBe('7');
		expect(valueOf({ kvValueFrom: 'field', kvValueField: 'a.b' })).toBe('flat');
		expect(valueOf({ kvValueFrom: 'text', kvValueText: '{"kept":"as text"}' })).toBe('{"kept":"as text"}');
		expect(valueOf({ kvValueFrom: 'text', kvValueText: { built: 'by expression' } })).toBe('{"built":"by expression"}');
	});

	it('names a missing field, an empty field name and an unknown value source', () => {
		expect(() => valueOf({ kvValueFrom: 'field', kvValueField: 'order.total' })).toThrow('The item has no field "order.total"');
		expect(() => valueOf({ kvValueFrom: 'field', kvValueField: ' ' })).toThrow('"Field" is empty');
		expect(() => valueOf({ kvValueFrom: 'binary' })).toThrow('"binary" is not a value source');
	});

	it('reads value formats and revisions, 0 or empty meaning "no condition"', () => {
		expect(readValueFormat({})).toBe('auto');
		expect(readValueFormat({ valueFormat: 'text' })).toBe('text');
		expect(() => readValueFormat({ valueFormat: 'xml' })).toThrow('"xml" is not a value format');
		expect(readRevision(undefined, 'Expected Revision')).toBe(0);
		expect(readRevision('', 'Expected Revision')).toBe(0);
		expect(readRevision(12, 'Expected Revision')).toBe(12);
		expect(() => readRevision(0, 'Expected Revision', 1)).toThrow('"Expected Revision" must be a whole number at least 1, not 0');
		expect(() => readRevision(-2, 'Expected Revision')).toThrow('not -2');
	});

	it('reads bucket settings from their own fields and the Options collection', () => {
		const { context } = fakeExecute({
			params: { kvBucket: 'orders', kvHistory: 4, kvTtlSeconds: 90, kvBucketOptions: { storage: 'memory', maxBytes: 0 } },
		});
		expect(readBucketSettings(context, 0)).toMatchObject({ bucket: 'orders', history: 4, ttlSeconds: 90, storage: 'memory', maxBytes: -1 });
	});

	it('gives every Key-Value field a display name, a default and a description, and keeps Get Key to bucket + key', () => {
		// The operation picker is built by the router's description, not by this resource.
		const fields = properties.filter((p) => p.name !== 'operation' && p.displayOptions?.show?.resource?.includes('keyValue'));
		const options = fields.flatMap((f) => (f.type === 'collection' ? ((f.options ?? []) as INodeProperties[]) : []));
		expect(fields.length).toBeGreaterThan(10);
		for (const field of [...fields, ...options]) {
			expect(field.displayName).toBeTruthy();
			expect(field.default).not.toBeUndefined();
			if (field.type !== 'collection') expect([field.name, field.description]).toEqual([field.name, expect.stringMatching(/\w{3}/)]);
		}
		const get = keyValueResource.operations.find((op) => op.value === 'get');
		expect(get?.properties.filter((p) => p.required).map((p) => p.name)).toEqual(['kvBucket', 'kvKey']);
		const values = keyValueResource.operations.map((op) => op.value);
		expect(new Set(values).size).toBe(values.length);
		expect(values).toEqual(expect.arrayContaining(['createBucket', 'upsertBucket', 'getBucket', 'getAllBuckets', 'deleteBucket', 'get', 'set', 'create', 'update', 'delete', 'purge', 'getAllKeys', 'history']));
	});
});
