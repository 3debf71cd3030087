import {
	deadLetterMsgId,
	deadLetterSubject,
	DlqHeaders,
	instructsServer,
	matchesFilter,
	originalHeaders,
	readEnvelope,
	reasonForKind,
	redriveMsgId,
	toRecordForTest,
} from './imports';
import { subjectContains } from '../../../nodes/shared/validation';

describe('dead-letter naming', () => {
	it('routes to dlq.<stream>.<consumer>, or another prefix', () => {
		expect(deadLetterSubject('ORDERS', 'worker')).toBe('dlq.ORDERS.worker');
		expect(deadLetterSubject('ORDERS', 'worker', 'failed')).toBe('failed.ORDERS.worker');
	});

	it('gives each stream/consumer/sequence its own dead-letter id, even when names contain dashes', () => {
		expect(deadLetterMsgId('a-b', 'c', 1)).not.toBe(deadLetterMsgId('a', 'b-c', 1));
		expect(deadLetterMsgId('S', 'c', 1)).not.toBe(deadLetterMsgId('S', 'c', 11));
		expect(deadLetterMsgId('S', 'c', 7)).toBe(deadLetterMsgId('S', 'c', 7));
		expect(redriveMsgId('DLQ', 5)).toBe('redrive-DLQ-5');
	});

	it('maps the trigger\'s kinds to reasons', () => {
		expect(reasonForKind('poison')).toBe('parse-error');
		expect(reasonForKind('invalid')).toBe('schema-invalid');
		expect(reasonForKind('rejected')).toBe('rejected');
		expect(reasonForKind('exhausted')).toBe('max-deliveries');
	});
});

describe('envelope', () => {
	const headers = {
		[DlqHeaders.Reason]: 'rejected',
		[DlqHeaders.Sequence]: '12',
		[DlqHeaders.Deliveries]: 'x',
		'x-dlq-subject': 'orders.eu',
		[DlqHeaders.RedactedFields]: 'a, b.c',
		'Nats-Msg-Id': 'dlq-1-S-c-12',
		'X-Custom': ['1', '2'],
	};

	it('decodes the reason headers case-insensitively, with null for numbers that are not numbers', () => {
		expect(readEnvelope(headers)).toMatchObject({
			reason: 'rejected',
			originalSequence: 12,
			deliveryCount: null,
			originalSubject: 'orders.eu',
			redactedFields: ['a', 'b.c'],
			error: '',
		});
	});

	it('gives back only the original headers (no envelope, no dead-letter Nats-Msg-Id)', () => {
		expect(originalHeaders(headers)).toEqual({ 'X-Custom': ['1', '2'] });
	});
});

describe('filters', () => {
	it('matches subjects with * and >', () => {
		expect(subjectContains('orders.*', 'orders.eu')).toBe(true);
		expect(subjectContains('orders.*', 'orders.eu.de')).toBe(false);
		expect(subjectContains('orders.>', 'orders.eu.de')).toBe(true);
		expect(subjectContains('orders.>', 'orders')).toBe(false);
		expect(subjectContains('orders.eu', 'orders.eu')).toBe(true);
		expect(subjectContains('orders.eu', 'orders')).toBe(false);
	});

	it('combines reason, subject and time bounds', () => {
		const record = toRecordForTest({ [DlqHeaders.Reason]: 'parse-error', [DlqHeaders.Subject]: 'orders.eu' }, '2024-05-01T12:00:00.000Z');
		expect(matchesFilter(record, {})).toBe(true);
		expect(matchesFilter(record, { reasons: ['parse-error', 'rejected'], originalSubject: 'orders.*' })).toBe(true);
		expect(matchesFilter(record, { reasons: ['rejected'] })).toBe(false);
		expect(matchesFilter(record, { originalSubject: 'payments.>' })).toBe(false);
		expect(matchesFilter(record, { from: new Date('2024-05-01T12:00:00.000Z') })).toBe(true);
		expect(matchesFilter(record, { to: new Date('2024-05-01T12:00:00.000Z') })).toBe(false);
		expect(matchesFilter(record, { from: new Date('2024-05-02T00:00:00.000Z') })).toBe(false);
	});
});

describe('headers that instruct the server', () => {
	it('leaves every Nats- header off a copy or a redrive — future ones too — but this package\'s Nats-Schema', () => {
		for (const name of ['Nats-Stream-Source', 'Nats-Schedule', 'Nats-Schedule-Target', 'Nats-Scheduler', 'Nats-Incr', 'Nats-Batch-Id', 'Nats-Expected-Stream', 'Nats-Rollup', 'NATS-TTL', 'Nats-Msg-Id', 'Nats-Required-Api-Level', 'Nats-Schedule-Time-Zone', 'Nats-Schedule-Next', 'Nats-Batch-Sequence', 'Nats-Batch-Commit', 'Nats-Expected-Last-Msg-Id', 'Nats-Something-New']) {
			expect(instructsServer(name)).toBe(true);
		}
		for (const name of ['Nats-Schema', 'nats-schema', 'X-Correlation-Id', 'traceparent', 'Content-Type', 'NatsSchema']) {
			expect(instructsServer(name)).toBe(false);
		}
		expect(originalHeaders({ 'Nats-Stream-Source': 'ORIG 1', 'Nats-Schema': 'order@2', 'X-Dlq-Reason': 'rejected', 'X-Custom': '1' })).toEqual({
			'Nats-Schema': 'order@2',
			'X-Custom': '1',
		});
	});
});
