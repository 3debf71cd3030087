import type { NatsConnection } from '@nats-io/transport-node';

import { toNodeError } from '../errorMapping';
import { PermissionError, type JetStreamNodeError } from '../errors';
import { stripUserInfo } from './credentials';

/**
 * What happens to a connection, in the package's words, from one reader of NATS.js's status
 * iterator. Callbacks never throw into the iterator (a throw there would end it); a failing one is
 * reported through `failed`.
 */
export interface ConnectionHandlers {
	disconnected?(server: string): void;
	/** One attempt to reconnect is starting (about once a second while the server cannot be reached). */
	reconnecting?(): void;
	reconnected?(server: string): void;
	/** The server is shutting down gracefully (lame-duck mode): the connection will move. */
	lameDuck?(server: string): void;
	/** The server refused a publish or subscription (a plain publish learns of it only this way); `said`: its words. */
	refused?(error: PermissionError, said: string): void;
	/** The server refused the login (authorization violation, expired JWT): the credential, not the network. */
	loginRefused?(error: JetStreamNodeError): void;
	/** Another error the server reported on the connection (already free of user info). */
	otherError?(error: JetStreamNodeError): void;
	/** The connection closed for good; `error` when NATS.js gave up rather than being asked to close. */
	closed?(error: Error | undefined): void;
	/** A handler threw. */
	failed?(error: Error): void;
}

export interface ConnectionWatch {
	/** Stops watching; resolves once status events already queued were handed to the handlers. */
	stop(): Promise<void>;
}

const isLoginError = (error: Error) => ['AuthorizationError', 'UserAuthenticationExpiredError'].includes(error.name) || /authorization violation|authentication expired/i.test(error.message);

function errorSeen(error: Error, handlers: ConnectionHandlers): void {
	const mapped = toNodeError(error);
	if (mapped instanceof PermissionError) handlers.refused?.(mapped, error.message);
	else if (isLoginError(error)) handlers.loginRefused?.(mapped);
	else handlers.otherError?.(mapped);
}

export function watchConnection(nc: NatsConnection, handlers: ConnectionHandlers): ConnectionWatch {
	const status = nc.status();
	let stopped = false;
	const call = (fn: () => void) => {
		try {
			fn();
		} catch (error) {
			handlers.failed?.(error as Error);
		}
	};
	const done = (async () => {
		for await (const s of status) {
			switch (s.type) {
				case 'disconnect':
					call(() => handlers.disconnected?.(stripUserInfo(s.server)));
					break;
				case 'reconnecting':
					call(() => handlers.reconnecting?.());
					break;
				case 'reconnect':
					call(() => handlers.reconnected?.(stripUserInfo(s.server)));
					break;
				case 'ldm':
					call(() => handlers.lameDuck?.(stripUserInfo(s.server)));
					break;
				case 'error':
					call(() => errorSeen(s.error, handlers));
					break;
				default:
					break;
			}
		}
	})();
	// Only when asked: each waiter on closed() lives as long as the connection.
	if (handlers.closed) {
		void nc.closed().then((error) => {
			if (!stopped) call(() => handlers.closed?.(error ?? undefined));
		});
	}
	return {
		stop: async () => {
			stopped = true;
			// Errors that came before the caller's last round trip are queued: let the loop read them.
			await new Promise((resolve) => setImmediate(resolve));
			(status as unknown as { stop(): void }).stop();
			await done.catch((error: unknown) => handlers.failed?.(error as Error));
		},
	};
}
