import { createHash } from 'node:crypto';

import { CredentialsError } from '../errors';
import { parseEncryptionKeys, type EncryptionKey } from '../payload/crypto';
import { parseSubjectPrefix } from './subjectPrefix';

export type AuthType = 'none' | 'userPassword' | 'token' | 'nkey' | 'jwt' | 'creds';

/** The NATS credential, validated and typed. Built once per execution or trigger activation. */
export interface NatsCredentials {
	servers: string[];
	connectionName: string;
	authType: AuthType;
	user?: string;
	password?: string;
	token?: string;
	nkeySeed?: string;
	jwt?: string;
	jwtSeed?: string;
	credsFile?: string;
	tls: boolean;
	tlsCa?: string;
	tlsCert?: string;
	tlsKey?: string;
	tlsVerify: boolean;
	jsDomain?: string;
	jsApiPrefix?: string;
	/** Replicas of the streams and buckets the nodes create on their own (dead letters, idempotency, schemas). */
	replicas: number;
	/** End-to-end payload keys, the first one encrypts; empty when none is set. */
	encryptionKeys: EncryptionKey[];
	/** Every subject, stream and bucket must lie under it (`tenant-a.`); undefined = no guard. See subjectPrefix.ts. */
	subjectPrefix?: string;
}

const AUTH_TYPES: AuthType[] = ['none', 'userPassword', 'token', 'nkey', 'jwt', 'creds'];

/** Fields whose values must never reach a log line, an error or execution data. */
export const SECRET_FIELDS = ['password', 'token', 'nkeySeed', 'jwt', 'jwtSeed', 'credsFile', 'tlsKey'] as const;

function text(data: Record<string, unknown>, field: string): string | undefined {
	const value = data[field];
	if (value === undefined || value === null) return undefined;
	const trimmed = String(value).trim();
	return trimmed === '' ? undefined : trimmed;
}

function required(data: Record<string, unknown>, field: string, label: string, authLabel: string): string {
	const value = text(data, field);
	if (!value) {
		throw new CredentialsError(`The NATS credential uses "${authLabel}" but "${label}" is empty`, `Fill in "${label}"`);
	}
	return value;
}

const SERVER_PATTERN = /^(?:(nats|tls|ws|wss):\/\/)?(?:[^@/\s]+@)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/;

/** Splits "a, b" into server URLs and checks their shape, naming the one that is wrong. */
export function parseServers(raw: string | undefined): string[] {
	const servers = (raw ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
	if (servers.length === 0) {
		throw new CredentialsError('The NATS credential has no server', 'Enter a server URL such as nats://localhost:4222');
	}
	for (const server of servers) {
		const match = SERVER_PATTERN.exec(server);
		const port = match?.[3] === undefined ? 4222 : Number(match[3]);
		if (!match || port < 1 || port > 65535) {
			throw new CredentialsError(
				`"${stripUserInfo(server)}" is not a valid NATS server URL`,
				'Use the form nats://host:4222 (or tls://host:4222); separate several servers with commas',
			);
		}
		if (match[1] === 'ws' || match[1] === 'wss') {
			throw new CredentialsError(
				`"${stripUserInfo(server)}" is a WebSocket URL`,
				'This node connects over TCP: use nats:// or tls:// with the server\'s client port (usually 4222)',
			);
		}
	}
	return servers;
}

/** Removes user:password@ from a URL so it can be shown. */
export function stripUserInfo(server: string): string {
	return server.replace(/\/\/[^@/]*@/, '//***@').replace(/^[^/@]*@/, '***@');
}

function checkSeed(seed: string, label: string): void {
	if (!/^S[UOA][A-Z2-7]{50,}$/.test(seed)) {
		throw new CredentialsError(
			`"${label}" is not a valid NKey seed`,
			'A user seed is one line of capital letters and digits starting with "SU" (as printed by nsc or nk -gen user)',
		);
	}
}

/** The `exp` claim (seconds since epoch) of a JWT, when it has one and it can be read. */
function jwtExpiry(jwt: string): number | undefined {
	try {
		const claims = JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as { exp?: unknown };
		return typeof claims.exp === 'number' ? claims.exp : undefined;
	} catch {
		// Unreadable claims: the server judges the JWT itself and reports what it finds.
		return undefined;
	}
}

/**
 * The server answers an expired JWT with a bare "authorization violation", so the expiry is checked
 * here, where the message can say what happened and what to do.
 */
function checkJwt(jwt: string, label: string): void {
	if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(jwt)) {
		throw new CredentialsError(`"${label}" is not a valid JWT`, 'A JWT is three base64url parts separated by dots (eyJ….eyJ….…)');
	}
	const exp = jwtExpiry(jwt);
	if (exp !== undefined && exp * 1000 < Date.now()) {
		throw new CredentialsError(
			`The user JWT in "${label}" expired on ${new Date(exp * 1000).toISOString()}`,
			'Ask your NATS admin (or nsc) for a new user JWT or .creds file and paste it into the credential',
		);
	}
}

function checkCreds(creds: string): void {
	const jwt = /-----BEGIN NATS USER JWT-----\s*([^\s-][^\n]*)\s*------?END NATS USER JWT/.exec(creds)?.[1]?.trim();
	if (!jwt || !/-----BEGIN USER NKEY SEED-----/.test(creds)) {
		throw new CredentialsError(
			'"Credentials File Content" is not a .creds file',
			'Paste the whole file, including the "BEGIN NATS USER JWT" and "BEGIN USER NKEY SEED" blocks',
		);
	}
	checkJwt(jwt, 'Credentials File Content');
}

function checkPem(value: string | undefined, label: string): void {
	if (value !== undefined && !/-----BEGIN [A-Z ]+-----/.test(value)) {
		throw new CredentialsError(`"${label}" is not in PEM format`, 'Paste the text including the -----BEGIN …----- and -----END …----- lines');
	}
}

function authFields(data: Record<string, unknown>, authType: AuthType): Partial<NatsCredentials> {
	switch (authType) {
		case 'userPassword':
			return {
				user: required(data, 'user', 'User', 'User and Password'),
				password: text(data, 'password') ?? '',
			};
		case 'token':
			return { token: required(data, 'token', 'Token', 'Token') };
		case 'nkey': {
			const nkeySeed = required(data, 'nkeySeed', 'NKey Seed', 'NKey Seed');
			checkSeed(nkeySeed, 'NKey Seed');
			return { nkeySeed };
		}
		case 'jwt': {
			const jwt = required(data, 'jwt', 'User JWT', 'JWT and NKey Seed');
			const jwtSeed = required(data, 'jwtSeed', 'JWT Seed', 'JWT and NKey Seed');
			checkJwt(jwt, 'User JWT');
			checkSeed(jwtSeed, 'JWT Seed');
			return { jwt, jwtSeed };
		}
		case 'creds': {
			// The .creds parser needs a newline after each block; pasted text often loses it or has CRLF.
			const credsFile = `${required(data, 'credsFile', 'Credentials File Content', 'Credentials File').replace(/\r\n/g, '\n')}\n`;
			checkCreds(credsFile);
			return { credsFile };
		}
		default:
			return {};
	}
}

/** Validates the raw credential data n8n hands us. Errors name the field, never its value. */
export function parseCredentials(data: Record<string, unknown>): NatsCredentials {
	const authType = (text(data, 'authType') ?? 'none') as AuthType;
	if (!AUTH_TYPES.includes(authType)) {
		throw new CredentialsError(`Unknown authentication type "${authType}"`, `Choose one of: ${AUTH_TYPES.join(', ')}`);
	}
	const tls = data.tls === true;
	const credentials: NatsCredentials = {
		servers: parseServers(text(data, 'servers')),
		connectionName: text(data, 'connectionName') ?? 'n8n',
		authType,
		...authFields(data, authType),
		tls,
		tlsVerify: data.tlsVerify !== false,
		jsDomain: text(data, 'jsDomain'),
		jsApiPrefix: text(data, 'jsApiPrefix'),
		replicas: replicasOf(data.replicas),
		encryptionKeys: parseEncryptionKeys(text(data, 'encryptionKeys')),
		subjectPrefix: parseSubjectPrefix(text(data, 'subjectPrefix')),
	};
	if (tls) {
		credentials.tlsCa = text(data, 'tlsCa');
		credentials.tlsCert = text(data, 'tlsCert');
		credentials.tlsKey = text(data, 'tlsKey');
		checkPem(credentials.tlsCa, 'CA Certificate');
		checkPem(credentials.tlsCert, 'Client Certificate');
		checkPem(credentials.tlsKey, 'Client Key');
		if (Boolean(credentials.tlsCert) !== Boolean(credentials.tlsKey)) {
			throw new CredentialsError(
				'A client certificate needs its key, and a key needs its certificate',
				'Fill in both "Client Certificate" and "Client Key", or neither',
			);
		}
	}
	return credentials;
}

function replicasOf(value: unknown): number {
	if (value === undefined || value === null || value === '') return 1;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1 || n > 5) {
		throw new CredentialsError(`"Replicas" must be a whole number from 1 to 5, not "${String(value)}"`, 'Use 1 on a single server, 3 on a cluster of three or more');
	}
	return n;
}

/** The secret values in a credential, for redaction of anything we log or return. */
export function secretValues(credentials: NatsCredentials): string[] {
	const values: string[] = [];
	for (const field of SECRET_FIELDS) {
		const value = credentials[field];
		if (typeof value === 'string' && value.length >= 4) values.push(value);
	}
	for (const { key } of credentials.encryptionKeys) values.push(key.toString('base64'));
	return values;
}

/**
 * Identity of a credential for the connection pool: a SHA-256 over every field, nested ones too (the
 * encryption keys, the Subject Prefix), so equal settings share a connection and any difference —
 * another user, account, key or prefix; a rotated password, a new CA — gets its own. The pooled
 * client carries its credential, so two credentials must never meet in one entry. Never the raw secret.
 */
export function credentialsKey(credentials: NatsCredentials): string {
	return createHash('sha256').update(JSON.stringify(canonical(credentials))).digest('hex');
}

/** Object keys sorted at every depth, bytes as base64: one spelling per value. */
function canonical(value: unknown): unknown {
	if (Buffer.isBuffer(value)) return value.toString('base64');
	if (Array.isArray(value)) return value.map(canonical);
	if (value === null || typeof value !== 'object') return value;
	const entries = Object.entries(value).filter(([, v]) => v !== undefined);
	return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, canonical(v)]));
}

/** Domain or API prefix for JetStream; an empty object means the account's own JetStream. */
export function jetStreamTarget(credentials: NatsCredentials): { domain?: string; apiPrefix?: string } {
	if (credentials.jsDomain) return { domain: credentials.jsDomain };
	if (credentials.jsApiPrefix) return { apiPrefix: credentials.jsApiPrefix };
	return {};
}

/** The subject prefix of the JetStream API for these credentials (`$JS.API`, a domain's, or an imported one). */
export function apiPrefix(credentials: NatsCredentials): string {
	const target = jetStreamTarget(credentials);
	if (target.domain) return `$JS.${target.domain}.API`;
	return (target.apiPrefix ?? '$JS.API').replace(/\.+$/, '');
}
