import type { INodeProperties } from 'n8n-workflow';

import { properties } from '../../../nodes/JetStreamTrigger/description';
import { readSettings } from '../../../nodes/JetStreamTrigger/settings';
import { subjectContains } from '../../../nodes/shared/validation';

/**
 * "Create Stream If Missing" read once at activation: off unless turned on, never when binding, and
 * the subjects the stream is created with are the ones the trigger reads.
 */

const read = (params: Record<string, unknown>) =>
	readSettings(
		{
			getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
			getMode: () => 'trigger',
		} as unknown as Parameters<typeof readSettings>[0],
		() => undefined,
	);

const base = { stream: 'ORDERS', durableName: 'billing' };

describe('Create Stream If Missing: settings', () => {
	it('is off by default, and shown only while the trigger manages its consumer', () => {
		expect(read(base).newStream).toBeUndefined();
		const toggle = properties.find((p) => p.name === 'createStream') as INodeProperties;
		expect(toggle).toMatchObject({ type: 'boolean', default: false, displayOptions: { show: { consumerMode: ['createOrUpdate'] } } });
		const subjects = properties.find((p) => p.name === 'streamSubjects') as INodeProperties;
		expect(subjects.displayOptions?.show).toEqual({ consumerMode: ['createOrUpdate'], createStream: [true] });
		// Right under the stream it is about, where a user with an empty stream list looks.
		expect(properties.map((p) => p.name).slice(0, 3)).toEqual(['stream', 'createStream', 'streamSubjects']);
	});

	it('says in the field what it creates', () => {
		const toggle = properties.find((p) => p.name === 'createStream') as INodeProperties;
		expect(toggle.hint).toMatch(/on disk.*keeps every message.*no age or size limit/);
	});

	it('is ignored when binding to an existing consumer, even when left on', () => {
		expect(read({ ...base, consumerMode: 'bind', createStream: true, streamSubjects: 'orders.>' }).newStream).toBeUndefined();
	});

	it('creates the stream with "<stream>.>" when there are no Filter Subjects', () => {
		expect(read({ ...base, createStream: true }).newStream).toEqual({ subjects: ['ORDERS.>'] });
		// A filter of ">" reads everything: the stream does not store every subject of the server.
		expect(read({ ...base, createStream: true, filterSubjects: '>' }).newStream).toEqual({ subjects: ['ORDERS.>'] });
	});

	it('creates the stream with the Filter Subjects when Stream Subjects is empty', () => {
		expect(read({ ...base, createStream: true, filterSubjects: 'orders.created, orders.*.paid' }).newStream).toEqual({ subjects: ['orders.created', 'orders.*.paid'] });
	});

	it('takes Stream Subjects as typed (trimmed, comma-separated) when given', () => {
		expect(read({ ...base, createStream: true, streamSubjects: ' orders.> ,refunds.* ', filterSubjects: 'orders.created' }).newStream).toEqual({ subjects: ['orders.>', 'refunds.*'] });
	});

	it('refuses Stream Subjects that do not store a Filter Subject, naming both', () => {
		expect(() => read({ ...base, createStream: true, streamSubjects: 'orders.*', filterSubjects: 'orders.eu.created' })).toThrow(
			'Filter subject "orders.eu.created" is not among the "Stream Subjects" (orders.*)',
		);
	});

	it('refuses a Stream Subject that is not a subject, naming the field', () => {
		expect(() => read({ ...base, createStream: true, streamSubjects: 'orders created' })).toThrow(/Stream Subjects "orders created" contains whitespace/);
		expect(() => read({ ...base, createStream: true, streamSubjects: 'orders.>.x' })).toThrow(/">" before the end/);
	});
});

describe('subjectContains', () => {
	it.each([
		['orders.>', 'orders.created', true],
		['orders.>', 'orders.*', true],
		['orders.>', 'orders.eu.>', true],
		['orders.>', 'orders', false],
		['orders.*', 'orders.created', true],
		['orders.*', 'orders.*', true],
		['orders.*', 'orders.>', false],
		['orders.*', 'orders.eu.created', false],
		['orders.created', 'orders.created', true],
		['orders.created', 'orders.*', false],
		['>', 'anything.at.all', true],
		['*.created', 'orders.created', true],
		['*.created', 'orders.paid', false],
	])('%p contains %p: %p', (pattern, filter, expected) => {
		expect(subjectContains(pattern, filter)).toBe(expected);
	});
});
