import { connect, type NatsConnection } from '@nats-io/transport-node';

import { recordToJson } from '../../../nodes/JetStream/actions/deadLetter/recordJson';
import { listDeadLetters, redriveDeadLetters } from '../../../nodes/shared/deadLetter';
import { createClient, type NatsClient } from '../../../nodes/shared/transport/client';
import { parseCredentials } from '../../../nodes/shared/transport/credentials';
import { msToNanos } from '../../../nodes/shared/units';
import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { pause, triggerSuite, type ActiveTrigger } from './harness';

/**
 * A redriven message keeps its identity (issue 27): dead-lettered, redriven, then run successfully, it
 * is recorded under the producer's id, so the producer's later retry of that id is skipped; dead-lettered
 * again after a redrive, it keeps its first origin and counts its redrives.
 */

const suite = triggerSuite('trigger-redrive', 'TRED');

let connection: NatsConnection | undefined;
let client: NatsClient;

beforeEach(async () => {
	connection = await connect({ servers: suite.server.url, name: 'test-redrive' });
	client = createClient(connection, parseCredentials({ servers: suite.server.url }));
	// A short duplicate window: the producer's retry must reach the trigger, not be dropped by the stream.
	const info = await suite.stream.jsm.streams.info(suite.stream.name);
	await suite.stream.jsm.streams.update(suite.stream.name, { ...info.config, duplicate_window: msToNanos(1_000) });
});

afterEach(async () => {
	await connection?.close();
});

const orderOf = (item: { json: Record<string, unknown> }) => (item.json.payload as { orderId: string }).orderId;

async function publishOrder(orderId: string): Promise<void> {
	await suite.stream.publish(1, () => JSON.stringify({ orderId }), { 'Nats-Msg-Id': orderId });
}

async function deadLetters(count: number, what: string) {
	await eventually(async () => (await listDeadLetters(client, 'DLQ').catch(() => [])).length === count, 15_000, what);
	return await listDeadLetters(client, 'DLQ');
}

function succeededRuns(trigger: ActiveTrigger, orderId: string) {
	return trigger.fake.emissions.filter((e) => e.outcome === 'succeeded' && e.items.some((i) => orderOf(i) === orderId));
}

describe('a redriven message keeps its identity', () => {
	it('is recorded under the producer\'s id once it succeeds, so the producer\'s retry of that id is skipped', async () => {
		const durable = uniqueName('d');
		let failing = true;
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 2, idempotency: 'messageId' },
			script: () => (failing ? { failWith: 'Order rejected by the CRM', node: 'Check Order' } : 'succeed'),
		});
		await publishOrder('A-1006');
		const [dead] = await deadLetters(1, 'the order dead-lettered');
		expect(dead).toMatchObject({ originalMsgId: 'A-1006', redrives: 0, failedNode: 'Check Order', workflowId: 'wf-trigger-test' });
		expect(Date.parse(dead.executionStartedAt)).not.toBeNaN();

		failing = false;
		const report = await redriveDeadLetters(client, 'DLQ');
		expect(report).toMatchObject({ redriven: 1, failed: 0 });
		await eventually(() => succeededRuns(trigger, 'A-1006').length === 1, 10_000, 'the redriven order run');
		const [run] = succeededRuns(trigger, 'A-1006');
		expect(run.items[0].json).toMatchObject({ messageId: 'A-1006', redrives: 1 });
		expect((run.items[0].json.headers as Record<string, string>)['Nats-Msg-Id']).toMatch(/^redrive-DLQ-/);

		// Past the stream's duplicate window the producer retries the same order: the trigger skips it.
		await pause(1_200);
		await publishOrder('A-1006');
		const retrySequence = (await suite.stream.jsm.streams.info(suite.stream.name)).state.last_seq;
		await eventually(async () => (await suite.stream.consumer(durable)).ack_floor.stream_seq >= retrySequence, 10_000, 'the retry acknowledged');
		expect(trigger.fake.emissions.filter((e) => e.items.some((i) => orderOf(i) === 'A-1006' && i.json.streamSequence === retrySequence))).toHaveLength(0);
		expect(succeededRuns(trigger, 'A-1006')).toHaveLength(1);
		expect(trigger.fake.logs.some((l) => l.level === 'info' && new RegExp(`Message ${retrySequence} skipped.*"A-1006"`).test(l.message))).toBe(true);
	});

	it('dead-lettered again after a redrive, keeps its first origin and counts its redrives; Get Many shows every field', async () => {
		const durable = uniqueName('d');
		await suite.start(durable, {
			params: { maxDeliver: 1 },
			script: () => ({ failWith: 'still broken' }),
		});
		await publishOrder('A-7');
		const [first] = await deadLetters(1, 'the first dead letter');
		expect(first).toMatchObject({ originalMsgId: 'A-7', originalSubject: suite.stream.subject, redrives: 0 });

		await redriveDeadLetters(client, 'DLQ');
		const [second] = await deadLetters(1, 'the second dead letter');
		expect(second.dlqSequence).toBeGreaterThan(first.dlqSequence);
		expect(second).toMatchObject({ originalMsgId: 'A-7', originalSubject: suite.stream.subject, originalTime: first.originalTime, redrives: 1 });
		expect(second.originalSequence).toBeGreaterThan(first.originalSequence ?? 0);

		// Redriven to another subject, it still names where it came from first.
		await redriveDeadLetters(client, 'DLQ', {}, { targetSubject: `${suite.stream.name.toLowerCase()}.retry` });
		const [third] = await deadLetters(1, 'the third dead letter');
		expect(third).toMatchObject({ originalMsgId: 'A-7', originalSubject: suite.stream.subject, originalTime: first.originalTime, redrives: 2 });
		expect(third.headers).toEqual({});

		const json = recordToJson(third);
		expect(Object.keys(json).sort()).toEqual(
			[
				'dlqStream', 'dlqSequence', 'dlqSubject', 'storedAt', 'deadLetteredAt', 'reason', 'error', 'originalStream', 'originalSubject',
				'originalSequence', 'originalConsumer', 'originalTime', 'originalMsgId', 'deliveryCount', 'redrives', 'failedNode', 'workflowId', 'workflowName',
				'executionStartedAt', 'executionId', 'redactedFields', 'droppedHeaders', 'headers', 'payload', 'payloadEncoding', 'sizeBytes', 'encryptedWith',
			].sort(),
		);
		expect(json).toMatchObject({ originalMsgId: 'A-7', redrives: 2, workflowId: 'wf-trigger-test', workflowName: 'Trigger test', executionId: null, droppedHeaders: [], payload: { orderId: 'A-7' }, encryptedWith: null });
	});
});
