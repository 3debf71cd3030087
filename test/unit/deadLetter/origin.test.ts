import { messageIdentity, originalHeaders, originOf, readEnvelope } from './imports';
import { redriveOriginHeaders } from '../../../nodes/shared/deadLetter/origin';

/** A redriven message's identity and origin travel in headers of their own (issue 27). */

describe('message identity and origin', () => {
	it('is the message itself until it is redriven', () => {
		expect(messageIdentity({ 'nats-msg-id': 'A-1' })).toBe('A-1');
		expect(messageIdentity({})).toBeUndefined();
		expect(originOf({ 'Nats-Msg-Id': 'A-1' }, 'orders.new', '2026-01-01T00:00:00.000Z')).toEqual({
			msgId: 'A-1',
			subject: 'orders.new',
			time: '2026-01-01T00:00:00.000Z',
			redrives: 0,
		});
	});

	it('is the origin for a redriven message, whose own Nats-Msg-Id is the redrive\'s', () => {
		const headers = {
			'Nats-Msg-Id': 'redrive-DLQ-3',
			'X-Origin-Msg-Id': 'A-1',
			'X-Origin-Subject': 'orders.new',
			'X-Origin-Time': '2026-01-01T00:00:00.000Z',
			'x-redrive-count': '2',
		};
		expect(messageIdentity(headers)).toBe('A-1');
		expect(originOf(headers, 'orders.retry', '2026-02-02T00:00:00.000Z')).toEqual({
			msgId: 'A-1',
			subject: 'orders.new',
			time: '2026-01-01T00:00:00.000Z',
			redrives: 2,
		});
		// A redrive of a message that had no id has none: not the redrive's.
		expect(messageIdentity({ 'Nats-Msg-Id': 'redrive-DLQ-3', 'X-Redrive-Count': '1' })).toBeUndefined();
	});

	it('a redrive writes the origin and one redrive more; the origin headers never reach a dead letter\'s own headers', () => {
		expect(redriveOriginHeaders({ msgId: 'A-1', subject: 'orders.new', time: 't', redrives: 1 })).toEqual({
			'X-Origin-Msg-Id': 'A-1',
			'X-Origin-Subject': 'orders.new',
			'X-Origin-Time': 't',
			'X-Redrive-Count': '2',
		});
		expect(redriveOriginHeaders({ subject: 'orders.new', redrives: 0 })).toEqual({ 'X-Origin-Subject': 'orders.new', 'X-Redrive-Count': '1' });
		expect(originalHeaders({ 'X-Tenant': 'acme', 'X-Origin-Msg-Id': 'A-1', 'X-Redrive-Count': '1', 'X-Dlq-Reason': 'rejected' })).toEqual({ 'X-Tenant': 'acme' });
	});

	it('the envelope reads the redrive count, the workflow and the execution start', () => {
		const envelope = readEnvelope({ 'X-Dlq-Redrives': '3', 'X-Dlq-Workflow-Id': 'wf1', 'X-Dlq-Execution-Started': '2026-01-01T00:00:00.000Z' });
		expect(envelope).toMatchObject({ redrives: 3, workflowId: 'wf1', executionStartedAt: '2026-01-01T00:00:00.000Z', executionId: '' });
		expect(readEnvelope({}).redrives).toBe(0);
	});

	it('the envelope decodes the workflow name, and a redrive gives the original sender headers back', () => {
		expect(readEnvelope({ 'X-Dlq-Workflow-Name': 'Orders %E2%86%92 ERP%0A' }).workflowName).toBe('Orders → ERP\n');
		const sent = { 'X-N8n-Workflow-Id': 'wf-sender', 'X-N8n-Execution-Id': '12', 'X-N8n-Node': 'Publish' };
		expect(originalHeaders({ ...sent, 'X-Dlq-Workflow-Id': 'wf-consumer', 'X-Dlq-Workflow-Name': 'Consumer' })).toEqual(sent);
	});
});
