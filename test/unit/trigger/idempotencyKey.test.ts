import { readIdempotency, readDeadLetter } from '../../../nodes/JetStreamTrigger/featureSettings';
import type { DecodedMessage } from '../../../nodes/JetStreamTrigger/consumer/hooks';
import { keyReader } from '../../../nodes/JetStreamTrigger/consumer/idempotencyKey';
import type { Delivery } from '../../../nodes/shared/transport/delivery';

/** Where the trigger reads a message's idempotency key from, and how its settings are checked. */

function message(payload: unknown, headers: Record<string, string> = {}, subject = 'orders.created'): DecodedMessage {
	const delivery = { subject, headers } as unknown as Delivery;
	return { delivery, payload: typeof payload === 'string' ? { kind: 'text', value: payload } : { kind: 'json', value: payload } };
}

const settings = (source: 'messageId' | 'header' | 'payloadField', extra: { header?: string; field?: string } = {}) => ({
	source,
	header: extra.header ?? 'Nats-Msg-Id',
	field: extra.field ?? '',
	retentionMs: 1,
	leaseMs: 1,
	createBucket: true,
});

const noClamp = (value: unknown) => Number(value);

describe('idempotency key reader', () => {
	it('reads Nats-Msg-Id case-insensitively', () => {
		expect(keyReader(settings('messageId'))(message({}, { 'nats-msg-id': 'm-1' }))).toBe('m-1');
		expect(keyReader(settings('messageId'))(message({}))).toBeUndefined();
	});

	it('reads the producer\'s id of a redriven message, wherever Nats-Msg-Id is named, and no id when the original had none', () => {
		const redriven = { 'Nats-Msg-Id': 'redrive-DLQ-4', 'X-Redrive-Count': '1', 'X-Origin-Msg-Id': 'A-1006' };
		expect(keyReader(settings('messageId'))(message({}, redriven))).toBe('A-1006');
		expect(keyReader(settings('header', { header: 'nats-msg-id' }))(message({}, redriven))).toBe('A-1006');
		expect(keyReader(settings('payloadField', { field: '{{ $headers.Nats-Msg-Id }}:x' }))(message({}, redriven))).toBe('A-1006:x');
		expect(keyReader(settings('messageId'))(message({}, { 'Nats-Msg-Id': 'redrive-DLQ-5', 'X-Redrive-Count': '1' }))).toBeUndefined();
		// Other headers are read as they are.
		expect(keyReader(settings('header', { header: 'X-Origin-Msg-Id' }))(message({}, redriven))).toBe('A-1006');
	});

	it('reads a named header', () => {
		expect(keyReader(settings('header', { header: 'X-Order-Id' }))(message({}, { 'X-Order-Id': 'o-9' }))).toBe('o-9');
	});

	it('reads a dot path, with array indexes and quoted names', () => {
		const read = keyReader(settings('payloadField', { field: 'order.lines[0]["sku-id"]' }));
		expect(read(message({ order: { lines: [{ 'sku-id': 'S1' }] } }))).toBe('S1');
		expect(read(message({ order: {} }))).toBeUndefined();
	});

	it('fills a template from payload, headers and subject', () => {
		const read = keyReader(settings('payloadField', { field: '{{ $json.tenant }}:{{$headers.X-Region}}:{{ $subject }}:{{ $json.id }}' }));
		expect(read(message({ tenant: 'acme', id: 42 }, { 'X-Region': 'eu' }))).toBe('acme:eu:orders.created:42');
		expect(read(message({ tenant: 'acme' }, { 'X-Region': 'eu' }))).toBeUndefined();
	});

	it('has no payload key for a text message', () => {
		expect(keyReader(settings('payloadField', { field: 'id' }))(message('plain text'))).toBeUndefined();
	});

	it('refuses a template part it cannot read from a message, naming it', () => {
		expect(() => keyReader(settings('payloadField', { field: '{{ $now }}' }))).toThrow(/"\{\{ \$now \}\}" cannot be read from a message/);
	});
});

describe('dead-letter and idempotency settings', () => {
	const get = (params: Record<string, unknown>) => (name: string, fallback: unknown) => (name in params ? params[name] : fallback);

	it('dead-letters by default with the default subject and a 30-day stream', () => {
		expect(readDeadLetter(get({}), noClamp)).toEqual({
			subject: undefined,
			createStream: true,
			retentionMs: 30 * 86_400_000,
			redactFields: [],
			permanentFailureMarker: '[permanent]',
		});
		expect(readDeadLetter(get({ deadLetter: false }), noClamp)).toBeUndefined();
	});

	it('refuses a wildcard dead-letter subject, naming the field', () => {
		expect(() => readDeadLetter(get({ deadLetterOptions: { deadLetterSubject: 'dlq.>' } }), noClamp)).toThrow(/wildcard/);
	});

	it('is off by default and refuses a header name with a space or an empty field', () => {
		expect(readIdempotency(get({}), noClamp)).toBeUndefined();
		expect(() => readIdempotency(get({ idempotency: 'header', idempotencyHeader: 'Order Id' }), noClamp)).toThrow(/"Order Id" is not a valid header name/);
		expect(() => readIdempotency(get({ idempotency: 'payloadField', idempotencyField: ' ' }), noClamp)).toThrow(/Key Field is empty/);
	});
});
