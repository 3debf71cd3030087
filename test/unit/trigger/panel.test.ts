import type { INodeProperties } from 'n8n-workflow';

import { properties } from '../../../nodes/JetStreamTrigger/description';
import { readSettings } from '../../../nodes/JetStreamTrigger/settings';

/**
 * The trigger's panel as a new user meets it: what to read and when to answer up front, the
 * consumer's tuning folded into a collection, and no surprise replay of the stream's history.
 */

/** Top-level fields n8n shows with every parameter at its default (mode "create or update"). */
function shownByDefault(): INodeProperties[] {
	const defaults = Object.fromEntries(properties.map((p) => [p.name, p.default]));
	const matches = (rules: object | undefined, wanted: boolean) =>
		Object.entries(rules ?? {}).every(([name, values]) => (values as unknown[]).includes(defaults[name]) === wanted);
	return properties.filter((p) => matches(p.displayOptions?.show, true) && matches(p.displayOptions?.hide, false));
}

const stored = (params: Record<string, unknown>) =>
	({
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getMode: () => 'trigger',
	}) as unknown as Parameters<typeof readSettings>[0];

describe('JetStream Trigger panel', () => {
	it('shows stream (and whether to create it), consumer, filter, deliver policy and acknowledge first, and folds the rest', () => {
		const names = shownByDefault().map((p) => p.name);
		expect(names.slice(0, 7)).toEqual(['stream', 'createStream', 'consumerMode', 'durableName', 'filterSubjects', 'deliverPolicy', 'ackMode']);
		for (const tuning of ['ackWaitSeconds', 'maxDeliver', 'backoff', 'maxAckPending']) expect(names).not.toContain(tuning);
		const consumerOptions = properties.find((p) => p.name === 'consumerOptions');
		expect(consumerOptions?.type).toBe('collection');
		expect((consumerOptions?.options as INodeProperties[]).map((o) => o.name).sort()).toEqual(['ackWaitSeconds', 'backoff', 'failoverAfter', 'maxAckPending', 'maxDeliver']);
		// After them: collapsed collections, and one switch for each check the trigger can run.
		expect(shownByDefault().slice(7).map((p) => `${p.name}:${p.type}`)).toEqual([
			'consumerOptions:collection',
			'schemaSource:options',
			'deadLetter:boolean',
			'deadLetterOptions:collection',
			'idempotency:options',
			'options:collection',
		]);
	});

	it('starts a new consumer with new messages, and warns before replaying the whole stream', () => {
		expect(properties.find((p) => p.name === 'deliverPolicy')?.default).toBe('new');
		const notice = properties.find((p) => p.name === 'replayNotice');
		expect(notice).toMatchObject({ type: 'notice', displayOptions: { show: { deliverPolicy: ['all'] } } });
		const settings = readSettings(stored({ stream: 'ORDERS', durableName: 'd' }), () => undefined);
		expect(settings.consumer?.deliverPolicy).toBe('new');
	});

	it('reads the consumer tuning from its collection, with the defaults when not added', () => {
		const tuned = readSettings(stored({ stream: 'ORDERS', durableName: 'd', consumerOptions: { ackWaitSeconds: 7, maxDeliver: 0, maxAckPending: 0, backoff: '1, 2' } }), () => undefined);
		expect(tuned.consumer).toMatchObject({ ackWaitSeconds: 7, maxDeliver: -1, maxAckPending: -1, backoffSeconds: [1, 2] });
		const plain = readSettings(stored({ stream: 'ORDERS', durableName: 'd', ackWaitSeconds: 7 }), () => undefined);
		expect(plain.consumer).toMatchObject({ ackWaitSeconds: 30, maxDeliver: 5, maxAckPending: 1000, backoffSeconds: [] });
	});
});
