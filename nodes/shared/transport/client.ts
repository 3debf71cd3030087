import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

import { withinDeadline } from '../execution/sleep';
import type { TransportLogger } from './connect';
import { jetStreamTarget, type NatsCredentials } from './credentials';

export { apiPrefix } from './credentials';

/** How long closing a trigger's connection may take once its executions are done. */
const DRAIN_TIMEOUT_MS = 5_000;

/**
 * Everything an operation needs on one connection. The JetStream client and the Key-Value manager
 * are made once per connection, not per item; the manager skips the account-info probe so that a
 * user without JetStream admin rights can still bind to existing streams and consumers.
 */
export interface NatsClient {
	readonly nc: NatsConnection;
	readonly js: JetStreamClient;
	readonly credentials: NatsCredentials;
	jsm(): Promise<JetStreamManager>;
	kvm(): Kvm;
	/** e.g. "2.9.10" */
	serverVersion(): string;
}

export function createClient(nc: NatsConnection, credentials: NatsCredentials): NatsClient {
	const options = { ...jetStreamTarget(credentials), checkAPI: false };
	const js = jetstream(nc, options);
	let manager: Promise<JetStreamManager> | undefined;
	let kv: Kvm | undefined;
	return {
		nc,
		js,
		credentials,
		jsm: () => {
			manager ??= jetstreamManager(nc, options);
			return manager;
		},
		kvm: () => {
			kv ??= new Kvm(js);
			return kv;
		},
		serverVersion: () => nc.info?.version ?? '0.0.0',
	};
}

/** Drains a trigger's own connection (bounded), closing it outright if draining stalls. */
export async function closeClient(client: NatsClient, logger: TransportLogger): Promise<void> {
	if (client.nc.isClosed()) return;
	const drained = client.nc.drain().catch((error: unknown) => logger.debug(`Draining the trigger connection reported: ${(error as Error).message}`));
	if (!(await withinDeadline(drained, DRAIN_TIMEOUT_MS)) && !client.nc.isClosed()) await client.nc.close();
}
