import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { ConnectionPool, connectionPool, parseCredentials } from '../../../nodes/shared/transport';
import { fakeExecute } from '../../helpers/fakeExecute';
import { countConnections, startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';

/** Connection reuse: one warm connection per credential, a new one when the credential changes. */

let server: NatsServer;

beforeAll(async () => {
	server = await startNatsServer({ monitor: true, config: 'accounts { APP { jetstream: enabled, users: [{user: app, password: one}, {user: app2, password: two}] } }' });
});

afterAll(async () => {
	await connectionPool.closeAll();
	await server.cleanup();
});

describe('connection pool', () => {
	it('lets two executions with the same credential share one connection', async () => {
		const stream = uniqueName('POOL');
		const admin = await connect({ servers: server.url, user: 'app', pass: 'one' });
		await (await jetstreamManager(admin)).streams.add({ name: stream, subjects: [`${stream}.>`] });
		await admin.close();

		const connectionName = uniqueName('n8n-pool');
		const credentials = { servers: server.url, connectionName, authType: 'userPassword', user: 'app', password: 'one' };
		const before = connectionPool.connectionsOpened;
		const node = new JetStream();
		for (let run = 0; run < 3; run++) {
			const { context } = fakeExecute({ params: { resource: 'stream', operation: 'get', stream }, credentials });
			const [out] = await node.execute.call(context);
			expect(out[0].json).toMatchObject({ name: stream, state: { messages: 0 } });
		}
		expect(connectionPool.connectionsOpened - before).toBe(1);
		expect(await countConnections(server, connectionName)).toBe(1);

		const rotated = { ...credentials, user: 'app2', password: 'two' };
		const { context } = fakeExecute({ params: { resource: 'stream', operation: 'get', stream }, credentials: rotated });
		await node.execute.call(context);
		expect(connectionPool.connectionsOpened - before).toBe(2);
		expect(await countConnections(server, connectionName)).toBe(2);
	});

	it('closes a connection nobody used for the idle time, and opens a fresh one next time', async () => {
		const pool = new ConnectionPool({ idleMs: 50, drainMs: 1_000 });
		const credentials = parseCredentials({ servers: server.url, authType: 'userPassword', user: 'app', password: 'one' });
		try {
			const first = await pool.acquire(credentials);
			const nc = first.client.nc;
			first.release();
			first.release(); // releasing twice must not make the count negative
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(nc.isClosed()).toBe(true);
			expect(pool.size).toBe(0);
			const second = await pool.acquire(credentials);
			expect(second.client.nc).not.toBe(nc);
			expect(pool.connectionsOpened).toBe(2);
			second.release();
		} finally {
			await pool.closeAll();
		}
	});

	it('keeps a connection open while any execution still holds it', async () => {
		const pool = new ConnectionPool({ idleMs: 30, drainMs: 1_000 });
		const credentials = parseCredentials({ servers: server.url, authType: 'userPassword', user: 'app', password: 'one' });
		try {
			const [a, b] = await Promise.all([pool.acquire(credentials), pool.acquire(credentials)]);
			expect(a.client).toBe(b.client);
			expect(pool.connectionsOpened).toBe(1);
			a.release();
			await new Promise((resolve) => setTimeout(resolve, 150));
			expect(b.client.nc.isClosed()).toBe(false);
			b.release();
		} finally {
			await pool.closeAll();
		}
	});

	it('does not cache a failed connect: the next execution tries again', async () => {
		const pool = new ConnectionPool({ idleMs: 1_000, drainMs: 1_000 });
		const wrong = parseCredentials({ servers: server.url, authType: 'userPassword', user: 'app', password: 'nope' });
		try {
			await expect(pool.acquire(wrong)).rejects.toThrow(/authorization violation/);
			expect(pool.size).toBe(0);
			await expect(pool.acquire(wrong)).rejects.toThrow(/authorization violation/);
		} finally {
			await pool.closeAll();
		}
	});
});
