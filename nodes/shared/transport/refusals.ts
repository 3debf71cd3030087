import type { NatsConnection } from '@nats-io/transport-node';

import { PermissionError, toNodeError } from '../errors';

/**
 * Permission errors the server reports on the connection until `stop()`. A refused plain publish
 * (a reply, a pull request) is told only this way: the client has no request to fail.
 */
export function watchRefusals(nc: NatsConnection, onRefused?: (error: PermissionError) => void): { stop(): Promise<PermissionError[]> } {
	const status = nc.status();
	const seen: PermissionError[] = [];
	const done = (async () => {
		for await (const s of status) {
			if (s.type !== 'error') continue;
			const mapped = toNodeError(s.error);
			if (!(mapped instanceof PermissionError)) continue;
			seen.push(mapped);
			onRefused?.(mapped);
		}
	})();
	return {
		stop: async () => {
			// Errors that came before the caller's last round trip are queued: let the loop read them.
			await new Promise((resolve) => setImmediate(resolve));
			(status as unknown as { stop(): void }).stop();
			await done;
			return seen;
		},
	};
}
