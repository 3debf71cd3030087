import type { KV } from '@nats-io/kv';

import { toNodeError } from '../errorMapping';
import type { NatsClient } from '../transport/client';
import { kvFlowControl, untilRefused } from '../transport/refusals';
import { prefixedName } from '../transport/subjectPrefix';
import { statsKey, type StatsEntry } from './entry';

/**
 * The key-value bucket the triggers write their figures to: one key per active trigger, rewritten
 * every interval, removed when it closes; a trigger that died leaves with the bucket's max age.
 */

export const DEFAULT_STATS_BUCKET = 'n8n_jetstream_stats';
/** A key not rewritten for this long belongs to a trigger that stopped without saying so. */
export const STATS_MAX_AGE_MS = 15 * 60_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class StatsBucket {
	private constructor(
		private readonly client: NatsClient,
		private readonly kv: KV,
		readonly name: string,
	) {}

	/** Opens the bucket, creating it when `create` (a trigger) and it is missing. */
	static async open(client: NatsClient, bucket: string, create: boolean): Promise<StatsBucket> {
		// The default bucket is the credential's own: `tenant-a_n8n_jetstream_stats` under a Subject Prefix.
		const name = bucket === DEFAULT_STATS_BUCKET ? prefixedName(client.credentials.subjectPrefix, bucket) : bucket;
		try {
			const kv = create
				? await client.kvm().create(name, { ttl: STATS_MAX_AGE_MS, history: 1, replicas: client.credentials.replicas, description: 'What the JetStream Triggers of n8n did, one key per active trigger' })
				: await client.kvm().open(name);
			if (!create) await kv.status();
			return new StatsBucket(client, kv, name);
		} catch (error) {
			throw toNodeError(error, { stream: `KV_${name}`, bucket: name });
		}
	}

	async write(entry: StatsEntry): Promise<void> {
		await this.kv.put(statsKey(entry), encoder.encode(JSON.stringify(entry)));
	}

	async remove(entry: StatsEntry): Promise<void> {
		await this.kv.delete(statsKey(entry));
	}

	/** The entries of the triggers reading `consumer` of `stream` (every consumer of it without one). */
	async read(stream: string, consumer?: string): Promise<StatsEntry[]> {
		const filter = consumer ? `${stream}.${consumer}.>` : `${stream}.>`;
		const entries: StatsEntry[] = [];
		try {
			for await (const key of untilRefused(this.client.nc, await this.kv.keys(filter), kvFlowControl(this.name))) {
				const entry = await this.kv.get(key);
				if (entry && entry.operation === 'PUT') entries.push(JSON.parse(decoder.decode(entry.value)) as StatsEntry);
			}
		} catch (error) {
			throw toNodeError(error, { bucket: this.name });
		}
		return entries.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
	}
}
