import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

import { jetStreamTarget, type NatsCredentials } from './credentials';

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
