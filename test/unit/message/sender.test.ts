import { applySender, decodeHeaderValue, encodeHeaderValue, MAX_SENDER_VALUE_LENGTH, readSender, SenderHeaders } from '../../../nodes/shared/audit/sender';
import { currentSender } from '../../../nodes/shared/n8n/sender';

const sender = { instanceId: 'inst-1', workflowId: 'wf-7', workflowName: 'Orders → ERP', executionId: '42', node: 'Publish order' };

describe('sender header values', () => {
	it('keeps printable ASCII and inner spaces as they are', () => {
		expect(encodeHeaderValue('Orders to ERP (v2)')).toBe('Orders to ERP (v2)');
	});

	it('percent-encodes non-ASCII, line breaks, control characters, "%" and edge spaces, and decodes them back', () => {
		const name = ' Grüße\r\nX-Evil: 1\t100% ✓ ';
		const encoded = encodeHeaderValue(name);
		expect(encoded).toBe('%20Gr%C3%BC%C3%9Fe%0D%0AX-Evil: 1%09100%25 %E2%9C%93%20');
		expect(encoded).toMatch(/^[\x21-\x7e][\x20-\x7e]*[\x21-\x7e]$/);
		expect(decodeHeaderValue(encoded)).toBe(name);
	});

	it('cuts a long value between characters, never inside an escape, and marks the cut', () => {
		const encoded = encodeHeaderValue('é'.repeat(300));
		expect(encoded.length).toBeLessThanOrEqual(MAX_SENDER_VALUE_LENGTH);
		expect(encoded.endsWith('%E2%80%A6')).toBe(true);
		expect(decodeHeaderValue(encoded)).toMatch(/^é+…$/);
		expect(encodeHeaderValue('a'.repeat(MAX_SENDER_VALUE_LENGTH))).toBe('a'.repeat(MAX_SENDER_VALUE_LENGTH));
	});

	it('shows a value that is not valid percent-encoding unchanged', () => {
		expect(decodeHeaderValue('100%')).toBe('100%');
	});
});

describe('sender headers', () => {
	it('adds one header per known part, and reads them back as sentBy', () => {
		const headers = {};
		applySender(headers, { ...sender, executionId: null });
		expect(headers).toEqual({
			[SenderHeaders.InstanceId]: 'inst-1',
			[SenderHeaders.WorkflowId]: 'wf-7',
			[SenderHeaders.WorkflowName]: 'Orders %E2%86%92 ERP',
			[SenderHeaders.Node]: 'Publish order',
		});
		expect(readSender(headers)).toEqual({ ...sender, executionId: null });
	});

	it('leaves the headers alone when the user set any of them (a relay passing the original sender on)', () => {
		const headers = { 'x-n8n-workflow-id': 'upstream' };
		applySender(headers, sender);
		expect(headers).toEqual({ 'x-n8n-workflow-id': 'upstream' });
		expect(readSender(headers)).toMatchObject({ workflowId: 'upstream', executionId: null });
	});

	it('says nothing for a message that names no sender', () => {
		expect(readSender({ 'X-Correlation-Id': 'c' })).toBeUndefined();
	});
});

describe('the sender of an execution', () => {
	const context = (executionId: () => string) => ({
		getInstanceId: () => 'inst-1',
		getWorkflow: () => ({ id: 'wf-7', name: 'Orders' }),
		getExecutionId: executionId,
		getNode: () => ({ name: 'Publish' }),
	});

	it('names the instance, workflow, execution and node', () => {
		expect(currentSender(context(() => '42'))).toEqual({ instanceId: 'inst-1', workflowId: 'wf-7', workflowName: 'Orders', executionId: '42', node: 'Publish' });
	});

	it('leaves the execution out when an editor run has none, without failing', () => {
		expect(currentSender(context(() => 'unknown')).executionId).toBeNull();
		expect(currentSender(context(() => undefined as unknown as string)).executionId).toBeNull();
		expect(
			currentSender(
				context(() => {
					throw new Error('no execution');
				}),
			).executionId,
		).toBeNull();
		expect(currentSender({ getWorkflow: () => ({}), getNode: () => ({ name: 'P' }) })).toEqual({ instanceId: null, workflowId: null, workflowName: null, executionId: null, node: 'P' });
	});
});
