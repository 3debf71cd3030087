import type { PermissionError } from '../errors';
import type { NatsClient } from '../transport/client';
import { watchConnection, type ConnectionWatch } from '../transport/connectionEvents';
import { redact } from '../transport/redact';
import { Outage, type OutageReporting } from './outage';

/** What a trigger's connection tells the trigger that reads through it. */
export interface ConnectionUser {
	connectionLost?(): void;
	connectionBack?(): void;
	/** True when the refused subject is one the trigger itself needs (it then stops). */
	refused?(error: PermissionError): boolean;
	/** Stops the trigger with an error n8n shows (and re-activates it). */
	fail(error: Error): void;
}

/** While the connection is down, the outage is looked at this often (so a long one is said, even without events). */
const PULSE_MS = 1_000;

/**
 * A trigger's own connection, watched for what it means to the trigger. A lost connection is an
 * outage the trigger rides out (it connects with `outlastLoginRefusals`, so NATS.js reconnects for
 * ever, also through refused logins): a user sees it once it lasts, or at once when the server
 * refuses the credential, and the trigger goes on when it is back. Only a connection NATS.js closes
 * for good on its own ends the trigger (n8n then re-activates it with a new one).
 */
export function watchTriggerConnection(client: NatsClient, user: ConnectionUser, reporting: OutageReporting, secrets: readonly string[]): ConnectionWatch {
	const { connectionName } = client.credentials;
	const health = reporting.connection;
	// Its own outage is the one the others defer to: reported without that deference.
	const outage = new Outage(
		`The NATS server (connection "${connectionName}")`,
		{ logger: reporting.logger, recordFailure: (message, hint) => reporting.recordFailure(message, hint) },
		{ baseDelayMs: PULSE_MS, maxDelayMs: PULSE_MS },
		'Check that the NATS server runs and is reachable, and that it accepts the credential (user, password, token, NKey or JWT). The trigger reconnects by itself and resumes without losing a message',
	);
	let reason = new Error('the connection was lost');
	let pulse: NodeJS.Timeout | undefined;
	const clean = (error: Error) => new Error(redact(error.message, [...secrets]));
	const watch = watchConnection(client.nc, {
		disconnected: (server) => {
			if (health) health.down = true;
			user.connectionLost?.();
			reason = new Error(`the connection to ${server} was lost`);
			outage.failed(reason);
			pulse ??= setInterval(() => outage.failed(reason), PULSE_MS);
			pulse.unref();
		},
		reconnected: () => {
			clearInterval(pulse);
			pulse = undefined;
			if (health) {
				health.down = false;
				health.upSince = Date.now();
			}
			user.connectionBack?.();
			outage.ok();
		},
		loginRefused: (error) => {
			reason = clean(error);
			outage.failed(reason, true);
		},
		// A refusal the loop does not need to stop for (an optional subscription) is still worth a line.
		refused: (error, said) => {
			if (!user.refused?.(error)) reporting.logger.warn(`NATS connection "${connectionName}" reported: ${redact(said, [...secrets])}`);
		},
		lameDuck: (server) => reporting.logger.warn(`NATS server ${server} entered lame-duck mode; the connection "${connectionName}" will move to another server`),
		otherError: (error) => reporting.logger.warn(`NATS connection "${connectionName}" reported: ${clean(error).message}`),
		closed: (error) => user.fail(new Error(`The connection to the NATS server closed for good${error ? `: ${clean(error).message}` : ''}; n8n starts the trigger again with a new one`)),
		failed: (error) => reporting.logger.error(`Handling a change of the NATS connection failed: ${error.message}`),
	});
	return {
		stop: async () => {
			clearInterval(pulse);
			await watch.stop();
		},
	};
}
