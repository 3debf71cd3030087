import { withinDeadline } from '../execution/sleep';
import { createClient, type NatsClient } from './client';
import { openConnection, type TransportLogger } from './connect';
import { credentialsKey, type NatsCredentials } from './credentials';

/** A borrowed client; call `release()` when the execution is done with it. */
export interface ClientLease {
	readonly client: NatsClient;
	release(): void;
}

interface PoolEntry {
	key: string;
	client: Promise<NatsClient>;
	leases: number;
	idleTimer?: NodeJS.Timeout;
}

export interface PoolOptions {
	/** How long an unused connection stays open for the next execution. */
	idleMs: number;
	/** How long closing may wait for in-flight messages to flush. */
	drainMs: number;
}

const DEFAULTS: PoolOptions = { idleMs: 5 * 60_000, drainMs: 5_000 };

/**
 * One connection per credential for the action node: executions borrow a warm connection instead
 * of connecting per run. Keyed by a hash of the whole credential (never the secrets themselves), so
 * a rotated password or new certificate gets a new connection and the old one idles out.
 */
export class ConnectionPool {
	private readonly entries = new Map<string, PoolEntry>();

	private opened = 0;

	constructor(private readonly options: PoolOptions = DEFAULTS) {}

	/** Connections opened since the pool was made (for tests and the connection-reuse benchmark). */
	get connectionsOpened(): number {
		return this.opened;
	}

	get size(): number {
		return this.entries.size;
	}

	async acquire(credentials: NatsCredentials, logger?: TransportLogger): Promise<ClientLease> {
		const key = credentialsKey(credentials);
		let entry = this.entries.get(key);
		if (entry && (await this.isClosed(entry))) {
			this.entries.delete(key);
			entry = undefined;
		}
		if (!entry) entry = this.open(key, credentials, logger);
		entry.leases++;
		clearTimeout(entry.idleTimer);
		entry.idleTimer = undefined;
		let client: NatsClient;
		try {
			client = await entry.client;
		} catch (error) {
			entry.leases--;
			throw error;
		}
		return { client, release: once(() => this.release(entry)) };
	}

	/** Drains every connection (bounded); used by tests and benchmarks. */
	async closeAll(): Promise<void> {
		const entries = [...this.entries.values()];
		this.entries.clear();
		await Promise.all(entries.map((entry) => this.close(entry)));
	}

	private open(key: string, credentials: NatsCredentials, logger?: TransportLogger): PoolEntry {
		const client = openConnection(credentials, { reconnect: true }, logger).then((nc) => {
			this.opened++;
			return createClient(nc, credentials);
		});
		const entry: PoolEntry = { key, client, leases: 0 };
		this.entries.set(key, entry);
		// A failed first connect must not stay cached: the next execution tries again.
		client.catch(() => {
			if (this.entries.get(key) === entry) this.entries.delete(key);
		});
		return entry;
	}

	private async isClosed(entry: PoolEntry): Promise<boolean> {
		try {
			return (await entry.client).nc.isClosed();
		} catch {
			// The connect of this entry failed; it is being removed, so treat it as closed.
			return true;
		}
	}

	private release(entry: PoolEntry): void {
		entry.leases = Math.max(0, entry.leases - 1);
		if (entry.leases > 0 || this.entries.get(entry.key) !== entry) return;
		entry.idleTimer = setTimeout(() => {
			if (entry.leases === 0 && this.entries.get(entry.key) === entry) {
				this.entries.delete(entry.key);
				void this.close(entry);
			}
		}, this.options.idleMs);
		entry.idleTimer.unref();
	}

	private async close(entry: PoolEntry): Promise<void> {
		clearTimeout(entry.idleTimer);
		const client = await entry.client.catch(() => undefined);
		if (!client || client.nc.isClosed()) return;
		await withinDeadline(client.nc.drain(), this.options.drainMs);
		if (!client.nc.isClosed()) await client.nc.close();
	}
}

function once(fn: () => void): () => void {
	let done = false;
	return () => {
		if (done) return;
		done = true;
		fn();
	};
}

/** The process-wide pool used by the action node. */
export const connectionPool = new ConnectionPool();
