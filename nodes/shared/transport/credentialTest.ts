import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import { JetStreamNodeError, PermissionError } from '../errors';
import { describeError, toNodeError } from '../errorMapping';
import { openConnection } from './connect';
import { jetStreamTarget, parseCredentials, secretValues, stripUserInfo } from './credentials';
import { redact } from './redact';

export interface CredentialTestOutcome {
	ok: boolean;
	message: string;
}

/**
 * Connects once without retrying, then asks JetStream for the account info, so the test fails for
 * the same reasons a workflow would: unreachable server, TLS, login, JetStream off, timeout.
 */
export async function testCredentials(data: Record<string, unknown>, timeoutMs = 5_000): Promise<CredentialTestOutcome> {
	let secrets: string[] = [];
	let nc: NatsConnection | undefined;
	try {
		const credentials = parseCredentials(data);
		secrets = secretValues(credentials);
		nc = await openConnection(credentials, { reconnect: false, timeoutMs });
		const connected = `Connected to ${stripUserInfo(nc.getServer())} (NATS ${nc.info?.version ?? '?'})`;
		const account = await accountInfo(nc, jetStreamTarget(credentials), timeoutMs);
		if (account === 'not-allowed') {
			// Logged in, and a least-privilege user: no node needs the account info, so this is no failure.
			return { ok: true, message: `${connected}; this user may not read the account's JetStream information, which the nodes do not need (see the README's Permissions section for what each feature needs)` };
		}
		return { ok: true, message: `${connected}; JetStream is enabled (${account.streams} streams)` };
	} catch (error) {
		const mapped = error instanceof JetStreamNodeError ? error : toNodeError(error, { timeoutMs });
		return { ok: false, message: redact(describeError(mapped), secrets) };
	} finally {
		await nc?.close();
	}
}

/** The account's JetStream info, or 'not-allowed' when the user may not ask for it. */
async function accountInfo(nc: NatsConnection, target: ReturnType<typeof jetStreamTarget>, timeoutMs: number): Promise<{ streams: number } | 'not-allowed'> {
	try {
		const jsm = await jetstreamManager(nc, { ...target, timeout: timeoutMs });
		return await jsm.getAccountInfo();
	} catch (error) {
		if (toNodeError(error) instanceof PermissionError) return 'not-allowed';
		throw error;
	}
}
