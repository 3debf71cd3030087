import { NodeOperationError, type INode, type WorkflowExecuteMode } from 'n8n-workflow';

import { readSettings } from '../../../nodes/JetStreamTrigger/settings';
import { InvalidParameterError, JetStreamNodeError } from '../../../nodes/shared/errors';
import { triggerError } from '../../../nodes/shared/n8n/triggerError';
import { fakeTrigger } from '../../helpers/fakeTrigger';

/** What n8n 2.41 shows when a trigger fails to activate (ActiveWorkflows.add): the message only, in quotes. */
const shownByN8n = (error: Error) => `There was a problem activating the workflow: "${error.message}"`;

const node: INode = { id: '1', name: 'JetStream Trigger', type: 'n8n-nodes-jetstream.jetStreamTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
const ctx = (mode: WorkflowExecuteMode) => ({ getNode: () => node, getMode: () => mode });
const streamMissing = () =>
	new JetStreamNodeError('not-found', 'Stream "ORDERS" does not exist', { hint: 'Turn on "Create Stream If Missing" in this trigger, or check the stream name' });

describe('an error of the trigger', () => {
	it('in a test run: the message, with what to do below it', () => {
		const error = triggerError(ctx('manual'), streamMissing());
		expect(error.message).toBe('Stream "ORDERS" does not exist');
		expect(error.description).toBe('Turn on "Create Stream If Missing" in this trigger, or check the stream name');
	});

	it('at activation: what to do is in the message itself, the only text n8n shows there', () => {
		const error = triggerError(ctx('trigger'), streamMissing());
		expect(shownByN8n(error)).toBe(
			'There was a problem activating the workflow: "Stream “ORDERS” does not exist. Turn on “Create Stream If Missing” in this trigger, or check the stream name"',
		);
	});

	it.each<[string, Error]>([
		['a field named first', new InvalidParameterError('durableName', '"Durable Name" is empty', 'Enter the consumer name')],
		['a quote at the end', new InvalidParameterError('x', 'Use "By Name"', 'Or ask for "list"')],
		['an error of n8n', new NodeOperationError(node, '"Stream" is empty', { description: 'Enter the stream name.' })],
		['a plain error', new Error('connection refused "nats://x"')],
	])('at activation, never doubles n8n\'s quotes (%s)', (_, raw) => {
		const shown = shownByN8n(triggerError(ctx('trigger'), raw));
		expect(shown).not.toMatch(/""/);
		// Only n8n's own pair of straight quotes is left.
		expect(shown.match(/"/g)).toHaveLength(2);
		expect(shown).not.toMatch(/\.\./);
	});

	it('at activation, keeps the hint of an n8n error and adds it only once', () => {
		const error = triggerError(ctx('trigger'), new NodeOperationError(node, 'Bad thing', { description: 'Fix it' }));
		expect(error.message).toBe('Bad thing. Fix it');
		expect(triggerError(ctx('trigger'), new JetStreamNodeError('server', 'odd')).message).toBe('odd');
	});

	it('says what to do for a setting refused before the server is asked, as n8n shows it', () => {
		const settingsError = (params: Record<string, unknown>) => {
			try {
				readSettings(fakeTrigger({ params, credentials: {} }).context, () => undefined);
			} catch (error) {
				return triggerError(ctx('trigger'), error);
			}
			throw new Error('no error');
		};
		expect(shownByN8n(settingsError({ stream: 'ORDERS', durableName: '' }))).toBe(
			'There was a problem activating the workflow: "“Durable Name” is empty. Enter the consumer name"',
		);
		expect(shownByN8n(settingsError({ stream: 'ORD ERS', durableName: 'x' }))).toMatch(
			/^There was a problem activating the workflow: "“ORD ERS” is not a valid stream name \(field “Stream”\)\. Use letters, digits, - and _ only/,
		);
	});
});
