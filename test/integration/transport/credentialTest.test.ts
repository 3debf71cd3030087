import { createServer, type Socket } from 'node:net';

import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';

import { testCredentials } from '../../../nodes/shared/transport';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';
import { makeTestPki, tlsServerConfig, type TestPki } from '../../helpers/pki';

/**
 * The credential test against servers configured for each authentication mode: it must pass with
 * the right secret and say precisely why it fails otherwise, without echoing the secret.
 */

const PASSWORD = 's3cret-Passw0rd';
const TOKEN = 'tok-9f8e7d6c5b4a';

async function withServer(config: string, run: (server: NatsServer) => Promise<void>, jetstream = true) {
	const server = await startNatsServer({ config, jetstream });
	try {
		await run(server);
	} finally {
		await server.cleanup();
	}
}

describe('credential test: user and password', () => {
	const config = `accounts {\n  APP { jetstream: enabled, users: [{ user: app, password: "${PASSWORD}" }] }\n  NOJS { users: [{ user: nojs, password: "${PASSWORD}" }] }\n}`;

	it('succeeds with the right password and reports the server version', async () => {
		await withServer(config, async (server) => {
			const outcome = await testCredentials({ servers: server.url, authType: 'userPassword', user: 'app', password: PASSWORD });
			expect(outcome).toEqual({ ok: true, message: expect.stringMatching(/^Connected to .*NATS 2\.\d+.*JetStream is enabled/) });
		});
	});

	it('says the login was refused for a wrong password, without echoing it', async () => {
		await withServer(config, async (server) => {
			const outcome = await testCredentials({ servers: server.url, authType: 'userPassword', user: 'app', password: 'wrong-pass-123' });
			expect(outcome.ok).toBe(false);
			expect(outcome.message).toMatch(/refused the login \(authorization violation\)/);
			expect(outcome.message).toMatch(/Check the user and password/);
			expect(outcome.message).not.toContain('wrong-pass-123');
		});
	});

	it('says JetStream is not enabled for an account without it', async () => {
		await withServer(config, async (server) => {
			const outcome = await testCredentials({ servers: server.url, authType: 'userPassword', user: 'nojs', password: PASSWORD });
			expect(outcome.ok).toBe(false);
			expect(outcome.message).toMatch(/JetStream is not enabled/);
		});
	});
});

describe('credential test: transport failures', () => {
	it('says nothing listens at an unreachable port', async () => {
		const server = await startNatsServer();
		const url = server.url;
		await server.cleanup();
		const outcome = await testCredentials({ servers: url, authType: 'none' });
		expect(outcome.ok).toBe(false);
		expect(outcome.message).toContain(`Nothing is listening at ${url}`);
	});

	it('says JetStream is off on a server started without it', async () => {
		await withServer('', async (server) => {
			const outcome = await testCredentials({ servers: server.url });
			expect(outcome).toEqual({ ok: false, message: expect.stringMatching(/JetStream is not enabled/) });
		}, false);
	});

	it('reports a timeout when the server never answers the handshake', async () => {
		const sockets: Socket[] = [];
		const silent = createServer((socket) => sockets.push(socket));
		await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
		const port = (silent.address() as { port: number }).port;
		try {
			const outcome = await testCredentials({ servers: `nats://127.0.0.1:${port}` }, 800);
			expect(outcome.ok).toBe(false);
			expect(outcome.message).toMatch(/timeout|timed out/i);
		} finally {
			sockets.forEach((socket) => socket.destroy());
			await new Promise((resolve) => silent.close(resolve));
		}
	});

	it('names the field when the credential itself is malformed', async () => {
		const outcome = await testCredentials({ servers: 'nats://host:99999' });
		expect(outcome).toEqual({ ok: false, message: expect.stringContaining('"nats://host:99999" is not a valid NATS server URL') });
	});
});

describe('credential test: token and NKey', () => {
	it('accepts the right token and refuses a wrong one', async () => {
		await withServer(`authorization { token: "${TOKEN}" }`, async (server) => {
			expect((await testCredentials({ servers: server.url, authType: 'token', token: TOKEN })).ok).toBe(true);
			const wrong = await testCredentials({ servers: server.url, authType: 'token', token: 'tok-wrong-000' });
			expect(wrong.message).toMatch(/authorization violation/);
			expect(wrong.message).not.toContain('tok-wrong-000');
		});
	});

	it('logs in with an NKey seed the server knows, and not with another', async () => {
		const user = createUser();
		const stranger = createUser();
		const config = `authorization { users: [{ nkey: ${user.getPublicKey()} }] }`;
		await withServer(config, async (server) => {
			const seed = new TextDecoder().decode(user.getSeed());
			expect(await testCredentials({ servers: server.url, authType: 'nkey', nkeySeed: seed })).toMatchObject({ ok: true });
			const strangerSeed = new TextDecoder().decode(stranger.getSeed());
			const refused = await testCredentials({ servers: server.url, authType: 'nkey', nkeySeed: strangerSeed });
			expect(refused.ok).toBe(false);
			expect(refused.message).toMatch(/authorization violation/);
			expect(refused.message).not.toContain(strangerSeed);
		});
	});
});

describe('credential test: JWT and .creds (operator mode)', () => {
	it('logs in with a JWT + seed and with a .creds file issued by the operator', async () => {
		const operator = createOperator();
		const account = createAccount();
		const sysAccount = createAccount();
		const user = createUser();
		const operatorJwt = await encodeOperator('OP', operator, { system_account: sysAccount.getPublicKey() });
		const accountJwt = await encodeAccount('APP', account, {
			limits: {
				conn: -1, subs: -1, data: -1, payload: -1, imports: -1, exports: -1, leaf: -1, wildcards: true,
				mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1,
			},
		}, { signer: operator });
		const sysJwt = await encodeAccount('SYS', sysAccount, {}, { signer: operator });
		const userJwt = await encodeUser('app-user', user, account);
		const config = [
			`operator: ${operatorJwt}`,
			`system_account: ${sysAccount.getPublicKey()}`,
			'resolver: MEMORY',
			`resolver_preload: {\n  ${account.getPublicKey()}: ${accountJwt}\n  ${sysAccount.getPublicKey()}: ${sysJwt}\n}`,
		].join('\n');
		await withServer(config, async (server) => {
			const seed = new TextDecoder().decode(user.getSeed());
			const viaJwt = await testCredentials({ servers: server.url, authType: 'jwt', jwt: userJwt, jwtSeed: seed });
			expect(viaJwt).toEqual({ ok: true, message: expect.stringContaining("Connected") });
			const creds = new TextDecoder().decode(fmtCreds(userJwt, user));
			expect(await testCredentials({ servers: server.url, authType: "creds", credsFile: creds })).toEqual({ ok: true, message: expect.stringContaining("Connected") });
			const otherSeed = new TextDecoder().decode(createUser().getSeed());
			const mismatched = await testCredentials({ servers: server.url, authType: 'jwt', jwt: userJwt, jwtSeed: otherSeed });
			expect(mismatched.ok).toBe(false);
			expect(mismatched.message).toMatch(/authorization violation/);
			expect(mismatched.message).not.toContain(otherSeed);
		});
	});
});

describe('credential test: TLS', () => {
	let pki: TestPki;
	beforeAll(() => {
		pki = makeTestPki();
	});
	afterAll(() => pki.cleanup());

	it('connects with the right CA and a client certificate (mutual TLS)', async () => {
		await withServer(tlsServerConfig(pki, true), async (server) => {
			const outcome = await testCredentials({
				servers: `tls://127.0.0.1:${server.port}`,
				tls: true,
				tlsCa: pki.ca,
				tlsCert: pki.clientCert,
				tlsKey: pki.clientKey,
			});
			expect(outcome).toMatchObject({ ok: true });
		});
	});

	it('says TLS verification failed when the CA does not match', async () => {
		await withServer(tlsServerConfig(pki, false), async (server) => {
			const outcome = await testCredentials({ servers: server.url, tls: true, tlsCa: pki.otherCa });
			expect(outcome.ok).toBe(false);
			expect(outcome.message).toMatch(/TLS verification of .* failed/);
			expect(outcome.message).toMatch(/CA certificate/);
		});
	});

	it('connects to a self-signed server when verification is turned off', async () => {
		await withServer(tlsServerConfig(pki, false), async (server) => {
			const outcome = await testCredentials({ servers: server.url, tls: true, tlsVerify: false });
			expect(outcome).toMatchObject({ ok: true });
		});
	});

	it('explains a client that does not use TLS against a TLS-only server', async () => {
		await withServer(tlsServerConfig(pki, false), async (server) => {
			const outcome = await testCredentials({ servers: server.url, tls: false });
			expect(outcome.ok).toBe(false);
			expect(outcome.message).toMatch(/TLS/);
		});
	});
});
