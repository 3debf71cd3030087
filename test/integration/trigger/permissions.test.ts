import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { eventually, fakeTrigger } from '../../helpers/fakeTrigger';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';
import { triggerParams, type TestStream } from './harness';

/**
 * A platform admin owns streams and consumers; a workflow's credential may only read from one durable.
 * Binding must work with exactly those rights, and creating must fail with a message that says why.
 */

const STREAM = 'ORDERS_RO';
const DURABLE = 'billing';

// Only what a pull consumer needs: look up the stream and its consumer, pull, acknowledge.
const readerPermissions = `{
	publish: { allow: [
		"$JS.API.INFO",
		"$JS.API.STREAM.INFO.${STREAM}",
		"$JS.API.CONSUMER.INFO.${STREAM}.${DURABLE}",
		"$JS.API.CONSUMER.MSG.NEXT.${STREAM}.${DURABLE}",
		"$JS.ACK.${STREAM}.${DURABLE}.>"
	] }
	subscribe: { allow: ["_INBOX.>"] }
}`;

let server: NatsServer;
let admin: NatsConnection;

beforeAll(async () => {
	server = await startNatsServer({
		label: 'trigger-permissions',
		config: `accounts { APP { jetstream: enabled, users: [
			{ user: admin, password: admin-secret },
			{ user: reader, password: reader-secret, permissions: ${readerPermissions} }
		] } }`,
	});
	admin = await connect({ servers: server.url, user: 'admin', pass: 'admin-secret' });
	const jsm = await jetstreamManager(admin);
	await jsm.streams.add({ name: STREAM, subjects: ['orders.ro.>'] });
	await jsm.consumers.add(STREAM, {
		durable_name: DURABLE,
		ack_policy: AckPolicy.Explicit,
		deliver_policy: DeliverPolicy.All,
		ack_wait: 2_000_000_000,
	});
});

afterAll(async () => {
	await admin?.close();
	await server.cleanup();
});

const readerCredentials = () => ({ servers: server.url, authType: 'userPassword', user: 'reader', password: 'reader-secret' });
const stream = { name: STREAM } as TestStream;

describe('JetStream Trigger with read-only rights', () => {
	it('binds to an existing durable and acknowledges, with no right to create anything', async () => {
		const js = jetstream(admin);
		for (let i = 1; i <= 3; i++) await js.publish('orders.ro.created', JSON.stringify({ n: i }));
		const fake = fakeTrigger({
			params: { ...triggerParams(stream, DURABLE), consumerMode: 'bind', deadLetter: false },
			credentials: readerCredentials(),
		});
		const response = await new JetStreamTrigger().trigger.call(fake.context);
		try {
			await eventually(() => fake.emissions.length === 3, 5_000, 'three executions');
			const jsm = await jetstreamManager(admin);
			await eventually(async () => (await jsm.consumers.info(STREAM, DURABLE)).ack_floor.stream_seq === 3, 5_000, 'all acknowledged');
			expect(fake.items().map((i) => i.json.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
			expect(fake.emittedErrors).toHaveLength(0);
		} finally {
			await response.closeFunction?.();
		}
	});

	it('refuses to create a consumer for that user and says it lacks the permission', async () => {
		const fake = fakeTrigger({
			params: { ...triggerParams(stream, 'other'), consumerMode: 'createOrUpdate' },
			credentials: readerCredentials(),
		});
		const failure = await new JetStreamTrigger().trigger.call(fake.context).then(
			() => new Error('activation should have failed'),
			(error: Error) => error,
		);
		expect(failure.message).toMatch(/permission|not allowed|authoriz/i);
		expect(failure.message).not.toContain('reader-secret');
	});
});
