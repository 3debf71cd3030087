import { AckPolicy } from '@nats-io/jetstream';

import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { eventually, fakeTrigger, withStraightQuotes } from '../helpers/fakeTrigger';
import { freePort, serverAtLeast, uniqueName } from '../helpers/natsServer';
import { triggerParams, triggerSuite } from '../integration/trigger/harness';

/**
 * Bad input for the JetStream Trigger: each case must be refused (or handled) with a message that says
 * what to fix, and must leave nothing half-made — no consumer created, no message lost.
 */

const suite = triggerSuite('bad-input-trigger', 'BADT');

async function consumers(): Promise<string[]> {
	const names: string[] = [];
	for await (const c of suite.stream.jsm.consumers.list(suite.stream.name)) names.push(c.name);
	return names;
}

async function activationError(params: Record<string, unknown>, credentials?: Record<string, unknown>): Promise<Error> {
	const fake = fakeTrigger({
		params: { ...triggerParams(suite.stream, 'bad'), ...params },
		credentials: credentials ?? { servers: suite.server.url, authType: 'none' },
	});
	return await new JetStreamTrigger().trigger.call(fake.context).then(
		async (response) => {
			await response.closeFunction?.();
			return new Error('the trigger activated although its input was bad');
		},
		(error: Error) => error,
	);
}

const activationCases: Array<[string, Record<string, unknown>, RegExp]> = [
	['unknown stream', { stream: 'NO_SUCH_STREAM' }, /Stream "NO_SUCH_STREAM" does not exist/],
	['unknown consumer to bind to', { consumerMode: 'bind', durableName: 'missing' }, /Consumer "missing" does not exist/],
	['stream name with a space', { stream: 'MY STREAM' }, /"MY STREAM" is not a valid stream name/],
	['durable name with a dot', { durableName: 'a.b' }, /Durable Name/],
	['negative max deliver', { maxDeliver: -5 }, /Max Deliver/],
	['zero ack wait', { ackWaitSeconds: 0 }, /"Ack Wait" must be more than 0 seconds/],
	['a million backoff steps', { backoff: Array.from({ length: 1_000_000 }, () => '1').join(','), maxDeliver: 2_000_000 }, /"Backoff" has 1000000 delays; at most/],
	['a backoff delay that is not a number', { backoff: '5, soon' }, /"Backoff" has "soon", which is not a positive number of seconds/],
	['max deliver not above the backoff steps', { maxDeliver: 2, backoff: '1, 2' }, /"Max Deliver" \(2\) must be greater than the number of backoff delays \(2\)/],
	['filter subject with an empty token', { filterSubjects: 'orders..created' }, /Filter Subject "orders\.\.created" has an empty token/],
	['start time that is not a time', { deliverPolicy: 'byStartTime', startTime: 'yesterday' }, /"Start Time" must be a date and time, not "yesterday"/],
	['wildcard dead-letter subject', { deadLetterOptions: { deadLetterSubject: 'dlq.>' } }, /wildcard/],
	['idempotency header with a space', { idempotency: 'header', idempotencyHeader: 'Order Id' }, /"Order Id" is not a valid header name/],
	['idempotency template that reads nothing from a message', { idempotency: 'payloadField', idempotencyField: '{{ $now }}' }, /cannot be read from a message/],
	['unknown acknowledge mode', { ackMode: 'sometimes' }, /"Acknowledge" cannot be "sometimes"/],
	// A feature of a newer server is refused, naming the version it needs and the one it found.
	...(serverAtLeast('2.10.0') ? [] : [['several filter subjects on a server before 2.10', { filterSubjects: 'a.x, a.y' }, /Several filter subjects on one consumer needs NATS server 2\.10\.0 or newer; this server runs 2\.9/] as [string, Record<string, unknown>, RegExp]]),
];

describe('JetStream Trigger refuses bad settings at activation and creates nothing', () => {
	it.each(activationCases)('%s', async (_case, params, message) => {
		const error = await activationError(params);
		expect(withStraightQuotes(error)).toMatch(message);
		expect(await consumers()).toEqual([]);
	});

	it('a server that is down: says nothing is listening there', async () => {
		const port = await freePort();
		const error = await activationError({}, { servers: `nats://127.0.0.1:${port}`, authType: 'none' });
		expect(error.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
		expect(error.message).toMatch(/nothing (is )?listening|refused|unreachable/i);
	});

	it('an oversize batch is clamped with a warning rather than refused', async () => {
		const fake = fakeTrigger({
			params: { ...triggerParams(suite.stream, uniqueName('d')), options: { batchSize: 5000 } },
			credentials: { servers: suite.server.url, authType: 'none' },
		});
		const response = await new JetStreamTrigger().trigger.call(fake.context);
		await response.closeFunction?.();
		expect(fake.logs.some((l) => l.level === 'warn' && /"Batch Size" was 5000; using 1000/.test(l.message))).toBe(true);
	});
});

describe('JetStream Trigger handles bad messages and vanishing resources while running', () => {
	it('a message that is not valid UTF-8 when JSON is expected goes to the dead-letter stream, once', async () => {
		const trigger = await suite.start(uniqueName('d'), { options: { content: 'json' } });
		await suite.stream.publish(1, () => new Uint8Array([0xff, 0xfe, 0x00, 0x7b]));
		await eventually(() => trigger.fake.failedExecutions.length === 1, 5_000, 'failed execution recorded');
		expect(trigger.fake.failedExecutions[0].message).toMatch(/is not UTF-8 text, so it cannot be JSON \(4 bytes/);
		await eventually(async () => (await suite.stream.jsm.streams.info('DLQ')).state.messages === 1, 5_000, 'dead-letter copy');
		expect(trigger.fake.emissions).toHaveLength(0);
	});

	it('a stream deleted while the trigger reads it is reported to n8n with its name', async () => {
		const trigger = await suite.start(uniqueName('d'));
		await suite.stream.publish(1);
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'first message');
		await suite.stream.jsm.streams.delete(suite.stream.name);
		await eventually(() => trigger.fake.emittedErrors.length > 0, 20_000, 'emitError');
		expect(withStraightQuotes(trigger.fake.emittedErrors[0])).toMatch(new RegExp(`${suite.stream.name}`));
	});

	it('a bound consumer deleted while running is reported to n8n', async () => {
		const durable = uniqueName('d');
		await suite.stream.jsm.consumers.add(suite.stream.name, { durable_name: durable, ack_policy: AckPolicy.Explicit });
		const trigger = await suite.start(durable, { params: { consumerMode: 'bind' } });
		await suite.stream.jsm.consumers.delete(suite.stream.name, durable).catch(() => false);
		await eventually(() => trigger.fake.emittedErrors.length > 0, 20_000, 'emitError');
		expect(withStraightQuotes(trigger.fake.emittedErrors[0])).toMatch(new RegExp(`Consumer "${durable}"`));
	});
});
