import type { IDataObject } from 'n8n-workflow';

import { requireServerVersion } from '../../../shared/serverVersion';
import type { NatsClient } from '../../../shared/transport';

/** Consumer → Pause / Resume: the server stops (and restarts) delivering; nats-server 2.11+. */

export const PAUSE_SINCE = '2.11.0';

export const PAUSE_HINT = 'Needs nats-server 2.11+. A paused consumer keeps its place; messages wait in the stream';

/** The server answers a resume with pause_until "1970-01-01T00:00:00Z": that is "not paused". */
const until = (value: string | undefined): string | null => (value && !value.startsWith('1970-01-01') ? new Date(value).toISOString() : null);

export async function setPause(client: NatsClient, stream: string, consumer: string, pauseUntil: Date | undefined, feature: string): Promise<IDataObject> {
	requireServerVersion(client.serverVersion(), PAUSE_SINCE, feature);
	const jsm = await client.jsm();
	const answer = pauseUntil ? await jsm.consumers.pause(stream, consumer, pauseUntil) : await jsm.consumers.resume(stream, consumer);
	return { stream, consumer, paused: answer.paused, pausedUntil: answer.paused ? until(answer.pause_until) : null };
}
