import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';

import { testCredentials } from '../../nodes/shared/transport';
import { startNatsServer, type NatsServer } from '../helpers/natsServer';

/**
 * Bad credentials: malformed seeds, JWTs and .creds files are refused by name before connecting; an
 * expired JWT is recognised as such. No message repeats the secret.
 */

let server: NatsServer;
let validJwt: string;
let expiredJwt: string;
let seed: string;

beforeAll(async () => {
	const operator = createOperator();
	const account = createAccount();
	const sys = createAccount();
	const user = createUser();
	seed = new TextDecoder().decode(user.getSeed());
	const accountJwt = await encodeAccount('APP', account, { limits: { conn: -1, subs: -1, data: -1, payload: -1, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 } }, { signer: operator });
	validJwt = await encodeUser('app-user', user, account);
	expiredJwt = await encodeUser('old-user', user, account, {}, { exp: Math.floor(Date.now() / 1000) - 3600 });
	server = await startNatsServer({
		label: 'bad-input-credential',
		config: [
			`operator: ${await encodeOperator('OP', operator, { system_account: sys.getPublicKey() })}`,
			`system_account: ${sys.getPublicKey()}`,
			'resolver: MEMORY',
			`resolver_preload: {\n  ${account.getPublicKey()}: ${accountJwt}\n  ${sys.getPublicKey()}: ${await encodeAccount('SYS', sys, {}, { signer: operator })}\n}`,
		].join('\n'),
	});
});

afterAll(async () => {
	await server.cleanup();
});

describe('credential test refuses bad credentials clearly and never repeats them', () => {
	const cases: Array<[string, () => Record<string, unknown>, RegExp, () => string]> = [
		['NKey seed that is not a seed', () => ({ authType: 'nkey', nkeySeed: 'SUNOTASEED-x1y2z3' }), /NKey Seed/i, () => 'SUNOTASEED-x1y2z3'],
		['JWT that is not a JWT', () => ({ authType: 'jwt', jwt: 'not.a.jwt-value', jwtSeed: seed }), /JWT/, () => seed],
		['.creds file without a JWT block', () => ({ authType: 'creds', credsFile: `-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------` }), /\.creds|credentials file/i, () => seed],
		['expired user JWT', () => ({ authType: 'jwt', jwt: expiredJwt, jwtSeed: seed }), /expired/i, () => seed],
		['JWT with the seed of another user', () => ({ authType: 'jwt', jwt: validJwt, jwtSeed: new TextDecoder().decode(createUser().getSeed()) }), /authorization violation/, () => seed],
	];

	it.each(cases)('%s', async (_case, credentials, message, secret) => {
		const outcome = await testCredentials({ servers: server.url, ...credentials() });
		expect(outcome.ok).toBe(false);
		expect(outcome.message).toMatch(message);
		expect(outcome.message).not.toContain(secret());
	});

	it('the valid JWT and .creds work, so the failures above are about the input', async () => {
		expect((await testCredentials({ servers: server.url, authType: 'jwt', jwt: validJwt, jwtSeed: seed })).ok).toBe(true);
		const creds = new TextDecoder().decode(fmtCreds(validJwt, { getSeed: () => new TextEncoder().encode(seed) } as never));
		expect((await testCredentials({ servers: server.url, authType: 'creds', credsFile: creds })).ok).toBe(true);
	});
});

describe('an expired JWT inside a .creds file', () => {
	it('is refused with the expiry date before connecting', async () => {
		const creds = new TextDecoder().decode(fmtCreds(expiredJwt, { getSeed: () => new TextEncoder().encode(seed) } as never));
		const outcome = await testCredentials({ servers: server.url, authType: 'creds', credsFile: creds });
		expect(outcome.message).toMatch(/expired on \d{4}-\d\d-\d\dT/);
		expect(outcome.message).not.toContain(seed);
	});
});
