import type { ConsumerConfig, StreamConfig } from '@nats-io/jetstream';

import { consumerChanges } from '../../../nodes/JetStream/actions/consumer/consumerDiff';
import { streamChanges } from '../../../nodes/JetStream/actions/stream/streamDiff';
import { readStreamConfig } from '../../../nodes/JetStream/actions/stream/streamSettings';
import { fakeExecute } from '../../helpers/fakeExecute';

/** What Create or Update compares, and the settings it reads, without a server. */

const stream = { name: 'ORDERS', subjects: ['orders.>', 'refunds.>'], storage: 'file', retention: 'limits', max_msgs: 100, max_age: 0 } as unknown as StreamConfig;

describe('stream ensure diff', () => {
	it('compares only the settings given, subjects in any order', () => {
		expect(streamChanges(stream, { name: 'ORDERS', subjects: ['refunds.>', 'orders.>'] })).toEqual([]);
		expect(streamChanges(stream, { name: 'ORDERS', max_msgs: 200 })).toEqual([{ setting: 'max_msgs', from: 100, to: 200 }]);
	});

	it('refuses to change storage or retention', () => {
		expect(() => streamChanges(stream, { storage: 'memory' as StreamConfig['storage'] })).toThrow(/has Storage "file"; it cannot be changed to "memory"/);
		expect(() => streamChanges(stream, { retention: 'workqueue' as StreamConfig['retention'] })).toThrow(/Retention/);
	});

	it('reads days and seconds into nanoseconds, and 0 (or -1) as "no limit" (-1 on the wire)', () => {
		const { context } = fakeExecute({ params: { stream: 'ORDERS', streamSubjects: 'orders.>', streamOptions: { maxAgeDays: 2, duplicateWindowSeconds: 30, maxMessages: -1 } } });
		expect(readStreamConfig(context, 0)).toEqual({ name: 'ORDERS', subjects: ['orders.>'], max_age: 2 * 86_400 * 1e9, duplicate_window: 30e9, max_msgs: -1 });
		const zero = fakeExecute({ params: { stream: 'ORDERS', streamSubjects: 'a', streamOptions: { maxMessages: 0, maxBytes: 0, maxMessagesPerSubject: 0 } } });
		expect(readStreamConfig(zero.context, 0)).toMatchObject({ max_msgs: -1, max_bytes: -1, max_msgs_per_subject: -1 });
		const negative = fakeExecute({ params: { stream: 'ORDERS', streamSubjects: 'a', streamOptions: { maxMessages: -5 } } });
		expect(() => readStreamConfig(negative.context, 0)).toThrow(/"Max Messages" must be a whole number at least 1, not -5/);
	});
});

describe('consumer ensure diff', () => {
	const existing = { durable_name: 'c', deliver_policy: 'all', ack_wait: 5e9, max_deliver: 5, backoff: [5e9, 30e9], max_ack_pending: 1000 } as unknown as ConsumerConfig;

	it('treats the first backoff step as the ack wait, as the server stores it', () => {
		const wanted = { ...existing, ack_wait: 30e9 } as Partial<ConsumerConfig>;
		expect(consumerChanges(existing, wanted, 'c')).toEqual([]);
	});

	it('lists each changed setting and refuses a new deliver policy', () => {
		expect(consumerChanges(existing, { ...existing, max_deliver: 9, description: 'x' }, 'c')).toEqual([
			{ setting: 'maxDeliver', from: 5, to: 9 },
			{ setting: 'description', from: null, to: 'x' },
		]);
		expect(() => consumerChanges(existing, { ...existing, deliver_policy: 'new' as ConsumerConfig['deliver_policy'] }, 'c')).toThrow(/cannot be changed/);
	});
});
