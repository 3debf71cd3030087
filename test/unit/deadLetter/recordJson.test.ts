import { recordToJson } from '../../../nodes/JetStream/actions/deadLetter/recordJson';
import { toRecord } from '../../../nodes/shared/deadLetter/inspect';

describe('a dead letter as n8n JSON', () => {
	it('says null, not "", for every envelope field the message does not carry (a message put there by hand)', () => {
		const record = toRecord({ stream: 'DLQ', sequence: 7, subject: 'dlq.x', time: '2026-12-07T10:00:00.000Z', headers: {}, data: new TextEncoder().encode('{"a":1}') });
		const json = recordToJson(record);
		const unknown = ['reason', 'error', 'originalStream', 'originalSubject', 'originalConsumer', 'originalTime', 'originalMsgId', 'failedNode', 'workflowId', 'workflowName', 'executionStartedAt', 'executionId'];
		expect(Object.fromEntries(unknown.map((f) => [f, json[f]]))).toEqual(Object.fromEntries(unknown.map((f) => [f, null])));
		expect(json).toMatchObject({ dlqStream: 'DLQ', dlqSequence: 7, deadLetteredAt: '2026-12-07T10:00:00.000Z', payload: { a: 1 }, payloadEncoding: 'json' });
	});
});
