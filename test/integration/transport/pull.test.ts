import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { createClient, type NatsClient } from '../../../nodes/shared/transport/client';
import type { Delivery } from '../../../nodes/shared/transport/delivery';
import { openPuller, type PullHandlers, type PullOptions, type Puller } from '../../../nodes/shared/transport/pull';
import type { CheckResult } from '../../../nodes/shared/transport/pullMachine';
import { eventually } from '../../helpers/fakeTrigger';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';

/**
 * The trigger's own pull requests against a real nats-server, driven directly: the faults of the
 * pull path (a 503 while the consumer is being checked, a handler that throws) with the timing a
 * trigger meets in a failover, made exact by holding the consumer check open from the test.
 */

let server: NatsServer;
let admin: NatsConnection;
let jsm: JetStreamManager;
let client: NatsClient;
let puller: Puller | undefined;

beforeAll(async () => {
	server = await startNatsServer({ label: 'transport-pull' });
	admin = await connect({ servers: server.url });
	jsm = await jetstreamManager(admin);
	const nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
	client = createClient(nc, { servers: [server.url], authType: 'none', connectionName: 'pull-test', replicas: 1 } as unknown as Parameters<typeof createClient>[1]);
});

afterEach(async () => {
	await puller?.close(500);
	puller = undefined;
});

afterAll(async () => {
	await client.nc.close();
	await admin.close();
	await server.cleanup();
});

async function streamWithConsumer(): Promise<{ stream: string; consumer: string; subject: string }> {
	const stream = uniqueName('PULL');
	const subject = `${stream.toLowerCase()}.in`;
	await jsm.streams.add({ name: stream, subjects: [subject] });
	const consumer = uniqueName('c');
	await addConsumer(stream, consumer);
	return { stream, consumer, subject };
}

async function addConsumer(stream: string, consumer: string): Promise<void> {
	await jsm.consumers.add(stream, { durable_name: consumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ack_wait: 30_000_000_000 });
}

interface Recorder {
	handlers: PullHandlers;
	deliveries: Delivery[];
	statuses: string[];
}

/** Handlers that ask for `room` messages whenever the puller says credit is back, like the trigger does. */
function recorder(want: () => Puller | undefined, room = 1): Recorder {
	const deliveries: Delivery[] = [];
	const statuses: string[] = [];
	const topUp = () => {
		const p = want();
		if (p && p.outstanding < room) p.request(room - p.outstanding);
	};
	return {
		deliveries,
		statuses,
		handlers: {
			message: (delivery) => {
				deliveries.push(delivery);
				delivery.ack();
			},
			credit: topUp,
			status: (status) => statuses.push(`${status.type}: ${status.description}`),
			answerFailed: () => undefined,
		},
	};
}

describe('pull requests', () => {
	it('asks again after a 503 that came while the consumer was being checked (it never stops pulling for good)', async () => {
		const { stream, consumer, subject } = await streamWithConsumer();
		let releaseCheck: ((result: CheckResult) => void) | undefined;
		let checks = 0;
		const options: PullOptions = {
			limits: { expiresMs: 2_000, heartbeatMs: 200, maxBatch: 0 },
			// The first check stays open until the test lets it end, like a lookup during a leader election.
			check: () => {
				checks++;
				if (checks > 1) return Promise.resolve({ status: 'ok' });
				return new Promise((resolve) => {
					releaseCheck = resolve;
				});
			},
		};
		const rec = recorder(() => puller);
		puller = openPuller(client, { apiPrefix: '$JS.API', stream, consumer }, options, rec.handlers);
		puller.request(1);
		// Silence: the server answers nothing for longer than two heartbeats, so the consumer is checked.
		server.freeze();
		try {
			await eventually(() => releaseCheck !== undefined, 5_000, 'the consumer check to start');
		} finally {
			server.thaw();
		}
		// While the check is open the consumer disappears and comes back (a failover): the open request
		// ends, the pull sent for it is answered 503 because nobody serves the consumer at that moment.
		await jsm.consumers.delete(stream, consumer);
		await eventually(() => rec.statuses.some((s) => /503|no responders|requests_lost|consumer_deleted/i.test(s)) || puller!.outstanding === 0, 5_000, 'the open request to end');
		await eventually(async () => {
			const probe = await admin.request(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`, JSON.stringify({ batch: 1, no_wait: true }), { timeout: 1_000 }).catch((e: Error) => e);
			return probe instanceof Error;
		}, 5_000, 'pull requests to the missing consumer to go unanswered (503)');
		await pause(500);
		await addConsumer(stream, consumer);
		releaseCheck?.({ status: 'ok' });
		await jetstream(admin).publish(subject, 'after the failover');
		await eventually(() => rec.deliveries.length === 1, 8_000, 'the message published after the failover to be pulled');
	});

	it('keeps receiving after a handler threw (a throw must not end the client\'s reader)', async () => {
		const { stream, consumer, subject } = await streamWithConsumer();
		const rec = recorder(() => puller, 5);
		let thrown = 0;
		const message = rec.handlers.message;
		rec.handlers.message = (delivery) => {
			if (thrown++ === 0) throw new Error('a bug in the handler');
			message(delivery);
		};
		puller = openPuller(client, { apiPrefix: '$JS.API', stream, consumer }, { limits: { expiresMs: 2_000, heartbeatMs: 500, maxBatch: 0 }, check: async () => ({ status: 'ok' }) }, rec.handlers);
		puller.request(5);
		const js = jetstream(admin);
		for (let i = 0; i < 3; i++) await js.publish(subject, `m${i}`);
		await eventually(() => rec.deliveries.length === 2, 5_000, 'the two messages after the one whose handler threw');
		// The connection still answers: a round trip completes.
		await client.nc.flush();
		expect(client.nc.isClosed()).toBe(false);
	});
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
