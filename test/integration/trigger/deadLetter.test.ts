import { AckPolicy, jetstream, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';

import { eventually } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { activate, pause, triggerSuite } from './harness';

/** The trigger's dead-letter routing (issue 5) against a real nats-server. */

const suite = triggerSuite('trigger-dlq', 'TDLQ');

async function storedMessages(jsm: JetStreamManager, name: string): Promise<StoredMsg[]> {
	const info = await jsm.streams.info(name);
	const out: StoredMsg[] = [];
	for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
		const msg = await jsm.streams.getMessage(name, { seq });
		if (msg) out.push(msg);
	}
	return out;
}

const dlqCount = async () => (await suite.stream.jsm.streams.info('DLQ')).state.messages;

async function settledConsumer(durable: string): Promise<void> {
	await eventually(
		async () => {
			const info = await suite.stream.consumer(durable);
			return info.num_ack_pending === 0 && info.num_pending === 0;
		},
		10_000,
		'nothing pending on the consumer',
	);
}

describe('JetStream Trigger dead-letter routing', () => {
	it('moves a message that failed every delivery to the DLQ exactly once, with every reason header and the original payload', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 3 },
			script: () => ({ failWith: 'CRM answered 503', node: 'Update CRM' }),
		});
		const body = new TextEncoder().encode('{"order": 7, "note": "bytes \\u00e9 kept"}');
		await suite.stream.publish(1, () => body, { 'X-Tenant': 'acme' });
		await eventually(async () => (await dlqCount().catch(() => 0)) === 1, 15_000, 'the dead-letter copy');
		await settledConsumer(durable);
		await pause(800);
		expect(trigger.fake.emissions).toHaveLength(3);
		expect(await dlqCount()).toBe(1);
		const [copy] = await storedMessages(suite.stream.jsm, 'DLQ');
		expect(copy.subject).toBe(`dlq.${suite.stream.name}.${durable}`);
		expect(Buffer.from(copy.data).equals(Buffer.from(body))).toBe(true);
		const h = (name: string) => copy.header.get(name);
		expect(h('X-Tenant')).toBe('acme');
		expect(h('X-Dlq-Reason')).toBe('max-deliveries');
		expect(h('X-Dlq-Stream')).toBe(suite.stream.name);
		expect(h('X-Dlq-Subject')).toBe(suite.stream.subject);
		expect(h('X-Dlq-Sequence')).toBe('1');
		expect(h('X-Dlq-Consumer')).toBe(durable);
		expect(h('X-Dlq-Deliveries')).toBe('3');
		expect(h('X-Dlq-Error')).toBe('CRM answered 503');
		expect(h('X-Dlq-Failed-Node')).toBe('Update CRM');
		expect(Date.parse(h('X-Dlq-Time'))).not.toBeNaN();
	});

	it('dead-letters a malformed message on its first delivery, records a failed execution and keeps consuming', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, { options: { content: 'json' } });
		await suite.stream.publish(1, () => '{"broken": ');
		await suite.stream.publish(1);
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'the good message');
		await eventually(async () => (await dlqCount().catch(() => 0)) === 1, 5_000, 'the dead-letter copy');
		await settledConsumer(durable);
		const [copy] = await storedMessages(suite.stream.jsm, 'DLQ');
		expect(copy.header.get('X-Dlq-Reason')).toBe('parse-error');
		expect(copy.header.get('X-Dlq-Deliveries')).toBe('1');
		expect(new TextDecoder().decode(copy.data)).toBe('{"broken": ');
		expect(trigger.fake.failedExecutions).toHaveLength(1);
		expect(trigger.fake.emittedErrors).toHaveLength(0);
	});

	it('dead-letters at once when the workflow marks the failure permanent, and removes redacted fields from the copy', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { deadLetterOptions: { redactFields: 'card.number' } },
			script: () => ({ failWith: '[permanent] unknown customer', node: 'Stop and Error' }),
		});
		await suite.stream.publish(1, () => JSON.stringify({ customer: 'x', card: { number: '4111', brand: 'visa' } }));
		await eventually(async () => (await dlqCount().catch(() => 0)) === 1, 5_000, 'the dead-letter copy');
		await settledConsumer(durable);
		expect(trigger.fake.emissions).toHaveLength(1);
		const [copy] = await storedMessages(suite.stream.jsm, 'DLQ');
		expect(copy.header.get('X-Dlq-Reason')).toBe('rejected');
		expect(copy.header.get('X-Dlq-Failed-Node')).toBe('Stop and Error');
		expect(JSON.parse(new TextDecoder().decode(copy.data))).toEqual({ customer: 'x', card: { brand: 'visa' } });
	});

	it('keeps a message whose dead-letter copy cannot be stored, without using up its deliveries, and stores it once the DLQ works again', async () => {
		const durable = uniqueName('d');
		const dlqSubject = `parked.${suite.stream.name.toLowerCase()}`;
		await suite.stream.jsm.streams.add({ name: 'DLQ', subjects: ['parked.>'] });
		const trigger = await suite.start(durable, {
			params: { deadLetterOptions: { deadLetterSubject: dlqSubject, createDeadLetterStream: false } },
			options: { content: 'json', retryDelay: 0.2 },
		});
		await suite.stream.jsm.streams.delete('DLQ');
		await suite.stream.publish(1, () => 'not json');
		await eventually(() => trigger.fake.logs.some((l) => l.level === 'warn' && /dead-letter stream cannot be reached/.test(l.message)), 10_000, 'the outage reported');
		await pause(2_500);
		const waiting = await suite.stream.consumer(durable);
		// Held by the trigger and kept alive: never redelivered, its one delivery not used up.
		expect(waiting.num_ack_pending).toBe(1);
		expect(waiting.num_redelivered).toBe(0);
		expect(waiting.delivered.consumer_seq).toBe(1);
		expect(trigger.fake.failedExecutions).toHaveLength(0);
		expect(trigger.fake.logs.filter((l) => /dead-letter stream cannot be reached/.test(l.message))).toHaveLength(1);
		await suite.stream.jsm.streams.add({ name: 'DLQ', subjects: ['parked.>'] });
		await eventually(async () => (await dlqCount().catch(() => 0)) === 1, 20_000, 'the copy once the DLQ is back');
		await settledConsumer(durable);
		await pause(500);
		expect(await dlqCount()).toBe(1);
		const [copy] = await storedMessages(suite.stream.jsm, 'DLQ');
		expect(copy.subject).toBe(dlqSubject);
		expect(copy.header.get('X-Dlq-Deliveries')).toBe('1');
		expect(trigger.fake.failedExecutions).toHaveLength(1);
		expect(trigger.fake.logs.some((l) => /dead-letter stream answers again/.test(l.message))).toBe(true);
	});

	it('hands a message waiting in line on its last delivery to the dead-letter stream when the trigger closes', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 2 },
			script: ({ items }) => (items[0].json.streamSequence === 1 && items[0].json.deliveryCount === 1 ? 'fail' : { succeedAfterMs: 3_000 }),
			options: { parallelExecutions: 1, retryDelay: 0.1 },
		});
		await suite.stream.publish(2);
		// Message 1 failed once and came back (its last delivery) while message 2 holds the only slot.
		await eventually(async () => (await suite.stream.consumer(durable)).num_redelivered === 1, 5_000, 'message 1 delivered again');
		await pause(200);
		expect(trigger.fake.emissions).toHaveLength(2);
		await trigger.response.closeFunction?.();
		// Closing waits for the copy: it is there as soon as close returns.
		expect(await dlqCount().catch(() => 0)).toBe(1);
		const [copy] = await storedMessages(suite.stream.jsm, 'DLQ');
		expect(copy.header.get('X-Dlq-Reason')).toBe('max-deliveries');
		expect(copy.header.get('X-Dlq-Sequence')).toBe('1');
		expect(copy.header.get('X-Dlq-Error')).toMatch(/last allowed delivery \(2\): the trigger closed before it ran/);
		await trigger.close();
		await settledConsumer(durable);
		expect(trigger.fake.emissions).toHaveLength(2);
	});

	it('dead-letters a running last delivery that outlives its execution timeout after the trigger closed', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, {
			params: { maxDeliver: 2 },
			script: ({ items }) => (items[0].json.deliveryCount === 1 ? 'fail' : 'crash'),
			options: { executionTimeout: 1, retryDelay: 0.1 },
		});
		await suite.stream.publish(1);
		await eventually(() => trigger.fake.emissions.length === 2, 5_000, 'the second, last delivery running');
		const closing = Date.now();
		await trigger.response.closeFunction?.();
		expect(Date.now() - closing).toBeLessThan(1_000);
		expect(await dlqCount().catch(() => 0)).toBe(0);
		await trigger.close();
		expect(await dlqCount()).toBe(1);
		const [copy] = await storedMessages(suite.stream.jsm, 'DLQ');
		expect(copy.header.get('X-Dlq-Reason')).toBe('max-deliveries');
		expect(copy.header.get('X-Dlq-Deliveries')).toBe('2');
		expect(copy.header.get('X-Dlq-Error')).toMatch(/did not finish within 1 s/);
		await settledConsumer(durable);
	});

	it('dead-letters a message whose last delivery was never answered (lost in transit, or n8n stopped) from the server\'s advisory', async () => {
		const durable = uniqueName('d');
		const { jsm, nc, name: stream } = suite.stream;
		await jsm.consumers.add(stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, max_deliver: 1, ack_wait: 1_000_000_000 });
		await suite.stream.publish(1, () => '{"order": 9}');
		// Its only delivery goes to a client that never answers: the server will drop it after the ack wait.
		const lost = await (await jetstream(nc).consumers.get(stream, durable)).next({ expires: 2_000 });
		expect(lost?.seq).toBe(1);
		const trigger = await suite.start(durable, { params: { consumerMode: 'bind' } });
		await eventually(async () => (await dlqCount().catch(() => 0)) === 1, 10_000, 'the dead-letter copy made from the advisory');
		const [copy] = await storedMessages(suite.stream.jsm, 'DLQ');
		expect(new TextDecoder().decode(copy.data)).toBe('{"order": 9}');
		expect(copy.header.get('X-Dlq-Reason')).toBe('max-deliveries');
		expect(copy.header.get('X-Dlq-Sequence')).toBe('1');
		expect(copy.header.get('X-Dlq-Deliveries')).toBe('1');
		expect(copy.header.get('X-Dlq-Error')).toMatch(/stopped delivering message 1 after 1 deliveries without an answer/);
		expect(trigger.fake.emissions).toHaveLength(0);
		expect(trigger.fake.failedExecutions).toHaveLength(1);
	});

	describe('a max-deliveries advisory about a message that was handled after all', () => {
		/** What the server sends when it stops delivering a message (a late copy's ack wait ran out, say). */
		const advisory = (durable: string, sequence: number) =>
			suite.stream.nc.publish(
				`$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${suite.stream.name}.${durable}`,
				JSON.stringify({ type: 'io.nats.jetstream.advisory.v1.max_deliver', stream: suite.stream.name, consumer: durable, stream_seq: sequence, deliveries: 4 }),
			);

		it('is ignored for a message this trigger acknowledged', async () => {
			const durable = uniqueName('d');
			const trigger = await suite.start(durable);
			await suite.stream.publish(1);
			await settledConsumer(durable);
			advisory(durable, 1);
			await eventually(() => trigger.fake.logs.some((l) => /stopped delivering message 1, which this trigger holds or answered/.test(l.message)), 15_000, 'the advisory seen');
			await pause(300);
			expect(await dlqCount().catch(() => 0)).toBe(0);
		});

		it('is ignored, after a restart, for a message whose idempotency key is recorded as processed', async () => {
			const durable = uniqueName('d');
			const keyed = { idempotency: 'payloadField', idempotencyField: 'orderId' };
			const first = await suite.start(durable, { params: keyed });
			await suite.stream.publish(1, () => JSON.stringify({ orderId: 'DONE-1' }));
			await settledConsumer(durable);
			await first.close();
			const second = await suite.start(durable, { params: keyed });
			advisory(durable, 1);
			await eventually(() => second.fake.logs.some((l) => /stopped delivering message 1, but its idempotency key is recorded as processed/.test(l.message)), 15_000, 'the advisory checked');
			await pause(300);
			expect(await dlqCount().catch(() => 0)).toBe(0);
		});

		it('still dead-letters a message nobody handled (the same advisory, the key not processed)', async () => {
			const durable = uniqueName('d');
			await suite.stream.publish(1, () => JSON.stringify({ orderId: 'NEVER-RUN' }));
			const trigger = await suite.start(durable, { params: { idempotency: 'payloadField', idempotencyField: 'orderId', deliverPolicy: 'new' } });
			advisory(durable, 1);
			await eventually(async () => (await dlqCount().catch(() => 0)) === 1, 15_000, 'the copy');
			expect(trigger.fake.emissions).toHaveLength(0);
		});
	});

	it('refuses to activate when no stream stores the dead letters and creating one is off', async () => {
		await expect(
			activate(suite.server, suite.stream, uniqueName('d'), { params: { deadLetterOptions: { createDeadLetterStream: false } } }),
		).rejects.toThrow(/No stream captures the dead-letter subject “dlq\./);
	});

	it('terminates without a copy when dead-lettering is off', async () => {
		const durable = uniqueName('d');
		const trigger = await suite.start(durable, { params: { deadLetter: false }, options: { content: 'json' } });
		await suite.stream.publish(1, () => 'not json');
		await eventually(() => trigger.fake.failedExecutions.length === 1, 5_000, 'failed execution recorded');
		await settledConsumer(durable);
		await expect(suite.stream.jsm.streams.info('DLQ')).rejects.toThrow();
	});
});
