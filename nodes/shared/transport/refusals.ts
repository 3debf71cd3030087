import type { NatsConnection } from '@nats-io/transport-node';

import type { PermissionError } from '../errors';
import { watchConnection } from './connectionEvents';

/**
 * Permission errors the server reports on the connection until `stop()`. A refused plain publish
 * (a reply, a pull request) is told only this way: the client has no request to fail.
 */
export function watchRefusals(nc: NatsConnection, onRefused?: (error: PermissionError) => void): { stop(): Promise<PermissionError[]> } {
	const seen: PermissionError[] = [];
	const watch = watchConnection(nc, {
		refused: (error) => {
			seen.push(error);
			onRefused?.(error);
		},
	});
	return {
		stop: async () => {
			await watch.stop();
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
