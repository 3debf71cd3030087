import { connectionOptions } from '../../../nodes/shared/transport/connect';
import {
	credentialsKey,
	parseCredentials,
	parseServers,
	secretValues,
	stripUserInfo,
} from '../../../nodes/shared/transport/credentials';
import { redact } from '../../../nodes/shared/transport/redact';

const SEED = 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4';

describe('parseServers', () => {
	it('splits a comma-separated list and trims each URL', () => {
		expect(parseServers(' nats://a:4222 , tls://b:4333,c ')).toEqual(['nats://a:4222', 'tls://b:4333', 'c']);
	});

	it.each([
		['', /has no server/],
		['nats://host:70000', /"nats:\/\/host:70000" is not a valid NATS server URL/],
		['http://host', /not a valid NATS server URL/],
		['ws://host:8080', /is a WebSocket URL/],
		['nats://host name:4222', /not a valid/],
	])('refuses %p, naming the URL', (raw, message) => {
		expect(() => parseServers(raw)).toThrow(message);
	});

	it('never shows the password of a URL with user info', () => {
		expect(() => parseServers('nats://bob:hunter22@host:99999')).toThrow(/nats:\/\/\*\*\*@host:99999/);
		expect(stripUserInfo('nats://bob:hunter22@host:4222')).toBe('nats://***@host:4222');
	});
});

describe('parseCredentials', () => {
	it('defaults to no authentication, verified TLS off, connection name n8n', () => {
		expect(parseCredentials({ servers: 'nats://localhost:4222' })).toMatchObject({
			servers: ['nats://localhost:4222'],
			authType: 'none',
			connectionName: 'n8n',
			tls: false,
			tlsVerify: true,
			replicas: 1,
		});
		expect(parseCredentials({ servers: 'nats://localhost:4222', replicas: 3 }).replicas).toBe(3);
	});

	it.each([
		[{ authType: 'userPassword', user: '' }, /uses "User and Password" but "User" is empty/],
		[{ authType: 'token', token: '  ' }, /"Token" is empty/],
		[{ authType: 'nkey', nkeySeed: 'not-a-seed' }, /"NKey Seed" is not a valid NKey seed/],
		[{ authType: 'jwt', jwt: 'abc', jwtSeed: SEED }, /"User JWT" is not a valid JWT/],
		[{ authType: 'creds', credsFile: 'hello' }, /is not a \.creds file/],
		[{ authType: 'kerberos' }, /Unknown authentication type "kerberos"/],
		[{ tls: true, tlsCa: 'not pem' }, /"CA Certificate" is not in PEM format/],
		[{ replicas: 0 }, /"Replicas" must be a whole number from 1 to 5, not "0"/],
		[{ replicas: 2.5 }, /"Replicas" must be a whole number from 1 to 5/],
		[{ tls: true, tlsCert: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }, /needs its key/],
	])('refuses %p and names the field', (fields, message) => {
		expect(() => parseCredentials({ servers: 'nats://h:4222', ...fields })).toThrow(message);
	});

	it('never puts the secret value in a validation error', () => {
		const secret = 'SXBADSEEDTHATISLONGENOUGHTOBEUSEFULBUTWRONGPREFIX0000000';
		try {
			parseCredentials({ servers: 'nats://h:4222', authType: 'nkey', nkeySeed: secret });
			throw new Error('expected a validation error');
		} catch (error) {
			expect((error as Error).message).not.toContain(secret);
		}
	});

	it('normalises a pasted .creds file so the NATS parser can read it', () => {
		const creds = '-----BEGIN NATS USER JWT-----\r\na.b.c\r\n------END NATS USER JWT------\r\n\r\n------BEGIN USER NKEY SEED------\r\nSU\r\n------END USER NKEY SEED------';
		const parsed = parseCredentials({ servers: 'nats://h:4222', authType: 'creds', credsFile: creds });
		expect(parsed.credsFile?.endsWith('------\n')).toBe(true);
		expect(parsed.credsFile).not.toContain('\r');
	});
});

describe('credentialsKey', () => {
	const base = { servers: 'nats://h:4222', authType: 'userPassword', user: 'u', password: 'p1-secret' };

	it('is the same for equal credentials and differs when any field changes', () => {
		expect(credentialsKey(parseCredentials(base))).toBe(credentialsKey(parseCredentials({ ...base })));
		expect(credentialsKey(parseCredentials(base))).not.toBe(credentialsKey(parseCredentials({ ...base, password: 'p2-secret' })));
		expect(credentialsKey(parseCredentials(base))).not.toBe(credentialsKey(parseCredentials({ ...base, connectionName: 'other' })));
	});

	it('differs for credentials that differ only in their encryption keys or Subject Prefix (a pooled client carries its credential)', () => {
		const keys = (seed: number) => JSON.stringify([{ id: 'k', key: Buffer.alloc(32, seed).toString('base64') }]);
		expect(credentialsKey(parseCredentials({ ...base, encryptionKeys: keys(1) }))).not.toBe(credentialsKey(parseCredentials({ ...base, encryptionKeys: keys(2) })));
		expect(credentialsKey(parseCredentials({ ...base, subjectPrefix: 'tenant-a.' }))).not.toBe(credentialsKey(parseCredentials({ ...base, subjectPrefix: 'tenant-b.' })));
		expect(credentialsKey(parseCredentials({ ...base, subjectPrefix: 'tenant-a.' }))).not.toBe(credentialsKey(parseCredentials(base)));
		expect(credentialsKey(parseCredentials({ ...base, encryptionKeys: keys(1) }))).toBe(credentialsKey(parseCredentials({ ...base, encryptionKeys: keys(1) })));
	});

	it('is a hash that does not contain the secret', () => {
		const key = credentialsKey(parseCredentials(base));
		expect(key).toMatch(/^[0-9a-f]{64}$/);
		expect(key).not.toContain('p1-secret');
	});
});

describe('connectionOptions', () => {
	it('turns on the measured fast path and endless reconnects with jitter for pooled connections', () => {
		const options = connectionOptions(parseCredentials({ servers: 'nats://h:4222' }), { reconnect: true });
		expect(options).toMatchObject({ noAsyncTraces: true, reconnect: true, maxReconnectAttempts: -1, waitOnFirstConnect: false });
		expect(options.reconnectJitter).toBeGreaterThan(0);
		expect(options.tls).toBeUndefined();
	});

	it('does not retry for the credential test and passes TLS material through', () => {
		const options = connectionOptions(
			parseCredentials({ servers: 'tls://h:4222', tls: true, tlsVerify: false, tlsCa: '-----BEGIN CERTIFICATE-----\nx' }),
			{ reconnect: false, timeoutMs: 1234 },
		);
		expect(options).toMatchObject({ reconnect: false, maxReconnectAttempts: 0, timeout: 1234 });
		expect(options.tls).toEqual({ ca: '-----BEGIN CERTIFICATE-----\nx', rejectUnauthorized: false });
	});

	it('keeps secrets out of the plain options (they live in the authenticator)', () => {
		const options = connectionOptions(
			parseCredentials({ servers: 'nats://h:4222', authType: 'userPassword', user: 'u', password: 'p-secret-1' }),
			{ reconnect: true },
		);
		expect(JSON.stringify(options)).not.toContain('p-secret-1');
		expect(typeof options.authenticator).toBe('function');
	});
});

describe('redact', () => {
	it('removes secrets, including single lines of a multi-line secret', () => {
		const credentials = parseCredentials({ servers: 'nats://h:4222', authType: 'token', token: 'tok-abcdef-123' });
		expect(redact('token tok-abcdef-123 refused', secretValues(credentials))).toBe('token *** refused');
		const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
		expect(redact('bad key line MIIEvQIBADANBgkqhkiG9w0BAQEFAASC here', [pem])).toBe('bad key line *** here');
	});
});
