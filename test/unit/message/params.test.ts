import { NoRespondersError } from '@nats-io/transport-node';

import { wrapCloudEvent } from '../../../nodes/JetStream/actions/message/cloudEvents';
import { applyCorrelation, applyTraceContext } from '../../../nodes/JetStream/actions/message/context';
import { readHeaders } from '../../../nodes/JetStream/actions/message/headers';
import { readPayload } from '../../../nodes/JetStream/actions/message/payload';
import { readPublishOptions, readWindow } from '../../../nodes/JetStream/actions/message/publishOptions';
import { toNodeError } from '../../../nodes/shared/errorMapping';
import { fakeExecute, type ParamValue } from '../../helpers/fakeExecute';

/** Parameter resolution of the Message operations, without a server. */

const ctx = (params: Record<string, ParamValue>) => fakeExecute({ params }).context;
const text = (data: Uint8Array) => new TextDecoder().decode(data);
const defaults = { correlationId: '', generateCorrelationId: true, propagateTrace: true, envelope: 'none' as const, eventType: '', eventSource: '', senderHeaders: true };

describe('payload sources', () => {
	const item = { json: { order: { id: 7, note: 'hi' } } };

	it('whole item, one field (text stays text, objects become JSON), text', async () => {
		expect(text((await readPayload(ctx({ payloadSource: 'json' }), 0, item)).data)).toBe('{"order":{"id":7,"note":"hi"}}');
		expect(text((await readPayload(ctx({ payloadSource: 'field', payloadField: 'order.note' }), 0, item)).data)).toBe('hi');
		expect(text((await readPayload(ctx({ payloadSource: 'field', payloadField: 'order' }), 0, item)).data)).toBe('{"id":7,"note":"hi"}');
		expect(text((await readPayload(ctx({ payloadSource: 'text', payloadText: 'raw' }), 0, item)).data)).toBe('raw');
	});

	it('names a missing field and lists the fields the item has', () => {
		expect(() => readPayload(ctx({ payloadSource: 'field', payloadField: 'total' }), 0, item)).toThrow(/Item 1 has no field "total"/);
	});
});

describe('headers', () => {
	it('keeps repeated names as several values and flattens line breaks', () => {
		const h = readHeaders(ctx({ headers: { header: [{ name: 'X-A', value: '1' }, { name: 'X-A', value: '2\r\n3' }] } }), 0);
		expect(h).toEqual({ 'X-A': ['1', '2 3'] });
	});
});

describe('publish options', () => {
	it('turns the "no check" defaults into no expectation and requires a type for an envelope', () => {
		expect(readPublishOptions(ctx({ publishOptions: {} }), 0)).toMatchObject({ expectedLastSequence: undefined, expectedLastSubjectSequence: undefined, envelope: 'none' });
		expect(readPublishOptions(ctx({ publishOptions: { expectedLastSubjectSequence: 0 } }), 0).expectedLastSubjectSequence).toBe(0);
		expect(() => readPublishOptions(ctx({ publishOptions: { envelope: 'binary' } }), 0)).toThrow(/"Event Type" is empty/);
		expect(() => readWindow(ctx({ publishOptions: { maxInFlight: 0 } }))).toThrow(/"Max Publishes in Flight" cannot be 0/);
	});
});

describe('correlation and trace context', () => {
	it('prefers an explicit header, then the option, then the item, then a new ID', () => {
		const item = { json: { correlationId: 'from-item' } };
		const explicit = { 'X-Correlation-Id': 'explicit' };
		expect(applyCorrelation(explicit, item, defaults)).toBe('explicit');
		expect(applyCorrelation({}, item, { ...defaults, correlationId: 'opt' })).toBe('opt');
		expect(applyCorrelation({}, item, defaults)).toBe('from-item');
		expect(applyCorrelation({}, { json: {} }, { ...defaults, generateCorrelationId: false })).toBeUndefined();
	});

	it('ignores a malformed traceparent', () => {
		const headers = {};
		applyTraceContext(headers, { json: { traceparent: 'not-a-trace' } }, defaults);
		expect(headers).toEqual({});
	});
});

describe('CloudEvents', () => {
	const event = { id: 'e1', source: 's', type: 't', time: '2026-01-01T00:00:00.000Z' };
	it('puts a binary payload into data_base64 in structured mode', () => {
		const headers = {};
		const out = wrapCloudEvent('structured', { data: new Uint8Array([1, 2]), kind: 'binary', contentType: 'image/png' }, headers, event);
		expect(JSON.parse(text(out))).toMatchObject({ data_base64: 'AQI=', datacontenttype: 'image/png' });
	});
});

describe('error mapping for requests', () => {
	it('turns "no responders" into "Nobody is listening" for a request', () => {
		expect(toNodeError(new NoRespondersError('svc.quote'), { subject: 'svc.quote' }).message).toBe('Nobody is listening on subject "svc.quote" (no responders)');
	});
});
