import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { NatsRequestTrigger } from '../../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';
import { eventually, fakeTrigger } from '../../helpers/fakeTrigger';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { activate, createStream, pause, sequences, type ActiveTrigger, type TestStream } from './harness';

/**
 * Outages the trigger meets at run time that heal by themselves: a credential the server stops
 * accepting for a while (a password changed and changed back, a user revoked and restored). NATS.js
 * gives up reconnecting after repeated authorization errors and closes the connection for good;
 * the trigger must say so where a user looks (an error line, a failed execution in the executions
 * list), keep itself registered, and resume once the server accepts the credential again, without
 * losing or repeating a message.
 */

const users = (appPassword: string) =>
	`authorization { users: [ { user: admin, password: admin }, { user: app, password: ${appPassword} } ] }`;

let server: NatsServer;
let admin: NatsConnection;
let trigger: ActiveTrigger | undefined;

beforeAll(async () => {
	server = await startNatsServer({ label: 'trigger-outages', config: users('one') });
	admin = await connect({ servers: server.url, user: 'admin', pass: 'admin' });
});

afterEach(async () => {
	await server.reload(users('one'));
	await trigger?.close();
	trigger = undefined;
});

afterAll(async () => {
	await admin.close();
	await server.cleanup();
});

/** A stream of its own, through the admin connection (the app user's credential is the one that changes). */
const stream = async (): Promise<TestStream> => await createStream(server, 'OUT', admin);

describe('JetStream Trigger outages', () => {
	it('says so when the server stops accepting its credential, stays registered, and resumes once it does again — nothing lost, nothing run twice', async () => {
		const s = await stream();
		const durable = uniqueName('d');
		trigger = await activate(server, s, durable, {
			credentials: { servers: server.url, authType: 'userPassword', user: 'app', password: 'one', connectionName: uniqueName('outage') },
			// The first message runs through the whole outage; its answer must still reach the server once.
			script: ({ items }) => (items[0].json.streamSequence === 1 ? { succeedAfterMs: 4_000 } : 'succeed'),
		});
		const { fake } = trigger;
		await s.publish(1);
		await eventually(() => fake.emissions.length === 1, 5_000, 'the first execution to start');

		await server.reload(users('changed'));
		await eventually(() => fake.logs.some((l) => l.level === 'error'), 10_000, 'an error-level line about the refused credential');
		await eventually(() => fake.failedExecutions.length === 1, 5_000, 'a failed execution the user sees in the executions list');
		expect(fake.failedExecutions[0].message).toMatch(/authoriz|refused|credential|log ?in/i);
		// Never the password itself.
		expect(JSON.stringify(fake.logs)).not.toContain('changed');
		await s.publish(2);
		await pause(3_000);
		// One line and one failed execution per outage, not one per reconnect attempt.
		expect(fake.logs.filter((l) => l.level === 'error')).toHaveLength(1);
		expect(fake.failedExecutions).toHaveLength(1);
		// Healable: n8n must not be told to deactivate the trigger (it gives up after five re-registrations).
		expect(fake.emittedErrors).toHaveLength(0);

		await server.reload(users('one'));
		await eventually(async () => (await s.consumer(durable)).ack_floor.stream_seq === 3, 20_000, 'every message acknowledged after the credential works again');
		expect(fake.logs.some((l) => l.level === 'info' && /again|resum|back/i.test(l.message))).toBe(true);
		expect(sequences(fake).sort((a, b) => a - b)).toEqual([1, 2, 3]);
		expect((await s.consumer(durable)).num_ack_pending).toBe(0);
		await s.close();
	});

	it('says one outage once: the key-value bucket behind a connection that is down is not a second outage', async () => {
		const s = await stream();
		const durable = uniqueName('d');
		trigger = await activate(server, s, durable, {
			// A short lease: the key the failed execution could not give back is free again sooner.
			params: { idempotency: 'payloadField', idempotencyField: 'n', idempotencyOptions: { idempotencyLeaseSeconds: 5 } },
			credentials: { servers: server.url, authType: 'userPassword', user: 'app', password: 'one', connectionName: uniqueName('outage') },
			options: { parallelExecutions: 1 },
			// The first execution fails during the outage: giving its key back needs the bucket.
			script: ({ items }) => (items[0].json.streamSequence === 1 && items[0].json.deliveryCount === 1 ? { failAfterMs: 500 } : 'succeed'),
		});
		const { fake } = trigger;
		await s.publish(3);
		await eventually(() => fake.emissions.length === 1, 5_000, 'the first execution to start');
		await server.reload(users('changed'));
		// Long enough for the bucket's own failures (each a 5 s request timeout) to last past the 10 s
		// after which an outage is reported: every store behind the connection fails meanwhile.
		await pause(22_000);
		await server.reload(users('one'));
		await eventually(async () => (await s.consumer(durable)).ack_floor.stream_seq === 3, 60_000, 'all three acknowledged');
		await pause(1_000);
		expect(fake.failedExecutions.map((e) => e.message)).toEqual([expect.stringMatching(/NATS server .* refuses the trigger/)]);
		expect(fake.logs.filter((l) => l.level === 'error')).toHaveLength(1);
		await s.close();
	}, 90_000);

	it('the NATS Request Trigger, too, says so and answers again once the server accepts its credential', async () => {
		const subject = `svc.${uniqueName('outage').toLowerCase()}`;
		const fake = fakeTrigger({
			params: { subject, queueGroup: 'n8n', replyWith: 'firstItem' },
			credentials: { servers: server.url, authType: 'userPassword', user: 'app', password: 'one', connectionName: uniqueName('requests') },
			script: () => ({ output: [{ answered: true }] }),
			nodeName: 'NATS Request Trigger',
		});
		const listener: ITriggerResponse = await new NatsRequestTrigger().trigger.call(fake.context);
		try {
			expect(JSON.parse(new TextDecoder().decode((await admin.request(subject, '{}', { timeout: 3_000 })).data))).toEqual({ answered: true });
			await server.reload(users('changed'));
			await eventually(() => fake.failedExecutions.length === 1, 10_000, 'a failed execution about the refused credential');
			expect(fake.logs.filter((l) => l.level === 'error')).toHaveLength(1);
			expect(fake.emittedErrors).toHaveLength(0);
			await server.reload(users('one'));
			await eventually(
				async () => (await admin.request(subject, '{}', { timeout: 1_000 }).then(() => true, () => false)),
				20_000,
				'a request answered after the credential works again',
			);
		} finally {
			await listener.closeFunction?.();
		}
	});
});
