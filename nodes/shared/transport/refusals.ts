import type { NatsConnection } from '@nats-io/transport-node';

import { PermissionError } from '../errors';
import { toNodeError } from '../errorMapping';

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

/**
 * Reads `source` to its end, unless the server refuses a subject the read depends on (`mine`): then
 * the read stops at once and fails with that refusal. A key-value history or key listing answers the
 * server's flow control with plain publishes; refused, the read would stall and come back incomplete.
 */
export async function* untilRefused<T>(nc: NatsConnection, source: AsyncIterable<T> & { stop?(): void }, mine: (subject: string) => boolean): AsyncGenerator<T> {
	let refused: PermissionError | undefined;
	const watch = watchRefusals(nc, (error) => {
		if (!mine(error.subject)) return;
		refused = error;
		source.stop?.();
	});
	try {
		for await (const item of source) {
			if (refused) break;
			yield item;
		}
	} finally {
		await watch.stop();
	}
	if (refused) throw refused;
}

/** Subjects a key-value read of `bucket` publishes to on its own: the answers to flow control. */
export const kvFlowControl = (bucket: string) => (subject: string) => subject.startsWith(`$JS.FC.KV_${bucket}.`);
