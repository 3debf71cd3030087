import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';

import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { eventually, fakeTrigger } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { sequences, triggerParams, triggerSuite } from './harness';

/** Activation, restart, close and test runs of the JetStream Trigger against a real nats-server. */

const suite = triggerSuite('trigger-lifecycle', 'TRIG');

/**
 * Deletes a consumer the way an admin would. nats-server 2.9 sometimes answers "directory not empty"
 * when the consumer's state is being written at that moment; the admin would just try again.
 */
async function deleteConsumer(name: string): Promise<void> {
	await eventually(
		async () => {
			try {
				return await suite.stream.jsm.consumers.delete(suite.stream.name, name);
			} catch (error) {
				if (/directory not empty/.test(String(error))) return false;
				if (/consumer not found/i.test(String(error))) return true;
				throw error;
			}
		},
		5_000,
		`consumer ${name} deleted`,
	);
}

async function addDurable(name: string): Promise<void> {
	await suite.stream.jsm.consumers.add(suite.stream.name, {
		durable_name: name,
		ack_policy: AckPolicy.Explicit,
		deliver_policy: DeliverPolicy.All,
		ack_wait: 1_000_000_000,
	});
}

describe('JetStream Trigger lifecycle', () => {
	it('survives a server restart: nothing lost, nothing acknowledged delivered twice', async () => {
		const name = uniqueName('d');
		const trigger = await suite.start(name, { script: () => ({ succeedAfterMs: 20 }) });
		await suite.stream.publish(10);
		await eventually(async () => (await suite.stream.consumer(name)).ack_floor.stream_seq === 10, 5_000, 'first ten acked');
		await suite.server.restart();
		await eventually(() => !suite.stream.nc.isClosed() && suite.stream.nc.info !== undefined, 5_000, 'test connection back');
		await eventually(
			async () => {
				try {
					await suite.stream.publish(10);
					return true;
				} catch {
					// JetStream is still starting after the restart: try again.
					return false;
				}
			},
			10_000,
			'publishing after the restart',
		);
		await eventually(async () => (await suite.stream.consumer(name)).ack_floor.stream_seq === 20, 15_000, 'all twenty acked');
		const seen = sequences(trigger.fake);
		expect(seen.filter((s) => s <= 10)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
		expect(new Set(seen).size).toBe(20);
		expect(trigger.fake.emittedErrors).toHaveLength(0);
	});

	it('on close, hands back at once what did not start, and answers running executions by their outcome when they end', async () => {
		const name = uniqueName('d');
		const first = await suite.start(name, {
			script: ({ items }) => (Number(items[0].json.streamSequence) === 1 ? { succeedAfterMs: 1_500 } : { failAfterMs: 1_500 }),
			params: { ackWaitSeconds: 10 },
			options: { parallelExecutions: 2, retryDelay: 1 },
		});
		await suite.stream.publish(6);
		await eventually(() => first.fake.emissions.length === 2, 5_000, 'two executions running, four read ahead');
		const closing = Date.now();
		await first.response.closeFunction?.();
		expect(Date.now() - closing).toBeLessThan(1_000);
		expect(first.fake.running()).toBe(2);

		// The four waiting ones went back at once: another trigger runs them long before their 10 s ack wait.
		const second = await suite.start(name, { params: { ackWaitSeconds: 10 } });
		await eventually(() => new Set(sequences(second.fake)).size === 4, 3_000, 'the handed-back messages run at once elsewhere');
		expect(sequences(second.fake).every((s) => s >= 3)).toBe(true);
		await first.close();
		// The execution that succeeded after the close was acknowledged; the failed one comes back later.
		await eventually(async () => (await suite.stream.consumer(name)).ack_floor.stream_seq === 6, 10_000, 'all six answered');
		expect(sequences(first.fake)).toEqual([1, 2]);
		expect(sequences(second.fake).filter((s) => s === 1)).toEqual([]);
		expect(sequences(second.fake).filter((s) => s === 2)).toEqual([2]);
	});

	it('closes within its Close Timeout while the server answers nothing, and catches up once it does', async () => {
		const name = uniqueName('d');
		const trigger = await suite.start(name, {
			params: { maxDeliver: 2 },
			script: ({ items }) => (items[0].json.deliveryCount === 1 && items[0].json.streamSequence === 1 ? 'fail' : { succeedAfterMs: 2_000 }),
			options: { parallelExecutions: 1, retryDelay: 0.1, closeTimeout: 1 },
		});
		await suite.stream.publish(3);
		// Message 1 waits in line on its last delivery (its dead-letter copy is a publish that will hang).
		await eventually(async () => (await suite.stream.consumer(name)).num_redelivered === 1, 5_000, 'message 1 delivered again');
		suite.server.freeze();
		try {
			const closing = Date.now();
			await trigger.response.closeFunction?.();
			expect(Date.now() - closing).toBeLessThan(1_000 + 2_500);
		} finally {
			suite.server.thaw();
		}
		await trigger.close();
		await eventually(async () => ((await suite.stream.jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0) === 1, 10_000, 'the dead-letter copy after the server woke');
	});

	it('a test run ("Listen for test event") emits a message but leaves the durable untouched', async () => {
		const name = uniqueName('d');
		await addDurable(name);
		await suite.stream.publish(3);
		const before = await suite.stream.consumer(name);
		const trigger = await suite.start(name, { mode: 'manual', params: { consumerMode: 'bind' } });
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'test event');
		expect(trigger.fake.items()[0].json.payload).toEqual({ n: 1 });
		await trigger.close();
		const after = await suite.stream.consumer(name);
		expect(after.ack_floor).toEqual(before.ack_floor);
		expect(after.delivered).toEqual(before.delivered);
		expect(after.num_ack_pending).toBe(0);
		const left = [];
		for await (const c of suite.stream.jsm.consumers.list(suite.stream.name)) left.push(c.name);
		expect(left).toEqual([name]);
	});

	it('a test run in "create" mode does not create the durable', async () => {
		const name = uniqueName('d');
		await suite.stream.publish(1);
		const trigger = await suite.start(name, { mode: 'manual' });
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'test event');
		await trigger.close();
		const left = [];
		for await (const c of suite.stream.jsm.consumers.list(suite.stream.name)) left.push(c.name);
		expect(left).toEqual([]);
	});

	it('refuses to activate when the stream does not exist, saying so and what to do in the message (all n8n shows of an activation error)', async () => {
		const fake = fakeTrigger({
			params: { ...triggerParams(suite.stream, 'd1'), stream: 'NO_SUCH_STREAM' },
			credentials: { servers: suite.server.url, authType: 'none' },
		});
		await expect(new JetStreamTrigger().trigger.call(fake.context)).rejects.toThrow(/^Stream “NO_SUCH_STREAM” does not exist\. Turn on “Create Stream If Missing” in this trigger/);
	});

	it('refuses to bind to a consumer that does not exist, saying so', async () => {
		const fake = fakeTrigger({
			params: { ...triggerParams(suite.stream, 'missing'), consumerMode: 'bind' },
			credentials: { servers: suite.server.url, authType: 'none' },
		});
		await expect(new JetStreamTrigger().trigger.call(fake.context)).rejects.toThrow(/^Consumer “missing” does not exist on stream “[^”]+”\. Check its name, or create it with a JetStream node set to Consumer → Create or Update, run on its own/);
	});

	it('refuses a max deliver not above the number of backoff steps before touching the server', async () => {
		const fake = fakeTrigger({
			params: { ...triggerParams(suite.stream, 'd2'), maxDeliver: 2, backoff: '1, 2' },
			credentials: { servers: suite.server.url, authType: 'none' },
		});
		await expect(new JetStreamTrigger().trigger.call(fake.context)).rejects.toThrow(/Max Deliver” \(2\) must be greater than the number of backoff delays \(2\)/);
		const left = [];
		for await (const c of suite.stream.jsm.consumers.list(suite.stream.name)) left.push(c.name);
		expect(left).toEqual([]);
	});

	it('re-creates a managed consumer deleted while running', async () => {
		const name = uniqueName('d');
		const trigger = await suite.start(name);
		await suite.stream.publish(1);
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'first message');
		await deleteConsumer(name);
		await eventually(
			() => trigger.fake.logs.some((l) => /re-created it/.test(l.message)),
			20_000,
			'consumer re-created',
		);
		await suite.stream.publish(1);
		await eventually(() => sequences(trigger.fake).includes(2), 10_000, 'message after re-creation');
		expect(trigger.fake.emittedErrors).toHaveLength(0);
	});

	it('reports an error (so n8n reactivates) when a bound consumer is deleted', async () => {
		const name = uniqueName('d');
		await addDurable(name);
		const trigger = await suite.start(name, { params: { consumerMode: 'bind' } });
		await suite.stream.publish(1);
		await eventually(() => trigger.fake.emissions.length === 1, 5_000, 'first message');
		await deleteConsumer(name);
		await eventually(() => trigger.fake.emittedErrors.length === 1, 20_000, 'emitError');
		expect(trigger.fake.emittedErrors[0].message).toMatch(new RegExp(`Consumer “${name}” .*was deleted`));
	});

});
