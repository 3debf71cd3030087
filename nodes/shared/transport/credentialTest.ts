import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

import { describeError, JetStreamNodeError, toNodeError } from '../errors';
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
		const jsm = await jetstreamManager(nc, { ...jetStreamTarget(credentials), timeout: timeoutMs });
		const account = await jsm.getAccountInfo();
		const server = stripUserInfo(nc.getServer());
		return {
			ok: true,
			message: `Connected to ${server} (NATS ${nc.info?.version ?? '?'}); JetStream is enabled (${account.streams} streams)`,
		};
	} catch (error) {
		const mapped = error instanceof JetStreamNodeError ? error : toNodeError(error, { timeoutMs });
		return { ok: false, message: redact(describeError(mapped), secrets) };
	} finally {
		await nc?.close();
	}
}
