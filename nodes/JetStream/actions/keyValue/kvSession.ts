import type { StreamInfo, StreamUpdateConfig } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';

import { type JetStreamNodeError } from '../../../shared/errors';
import { isStreamNotFound, toNodeError } from '../../../shared/errorMapping';
import { streamVisible, type NatsClient } from '../../../shared/transport';
import { toKvOptions, type BucketSettings } from './bucketSettings';
import { bucketMissing, isNoResponders, kvError } from './kvErrors';

/** The stream behind a bucket. */
export const bucketStream = (bucket: string): string => `KV_${bucket}`;

/**
 * One execution's access to Key-Value buckets: a handle per bucket, made once and reused by every
 * item. Binding makes no request, so a missing bucket only shows on first use; `use` then says
 * "bucket does not exist" instead of the "no responders" a write to a missing bucket produces.
 */
export class KvSession {
	private readonly handles = new Map<string, Promise<KV>>();

	constructor(private readonly client: NatsClient) {}

	/** Runs `action` on the bucket; errors come back in Key-Value terms (bucket, key, revision). */
	async use<T>(bucket: string, key: string | undefined, action: (kv: KV) => Promise<T>): Promise<T> {
		try {
			return await action(await this.open(bucket));
		} catch (error) {
			throw await this.explain(error, bucket, key);
		}
	}

	/** The bucket's stream info, or undefined when the bucket does not exist. */
	async info(bucket: string): Promise<StreamInfo | undefined> {
		const jsm = await this.client.jsm();
		try {
			return await jsm.streams.info(bucketStream(bucket));
		} catch (error) {
			if (isStreamNotFound(error)) return undefined;
			throw kvError(error, bucket);
		}
	}

	/** Creates the bucket (opens it when it exists) and returns its stream info. */
	async create(settings: BucketSettings): Promise<StreamInfo> {
		try {
			const kv = await this.client.kvm().create(settings.bucket, toKvOptions(settings));
			return (await kv.status()).streamInfo;
		} catch (error) {
			throw kvError(error, settings.bucket);
		}
	}

	async update(bucket: string, update: Partial<StreamUpdateConfig>): Promise<StreamInfo> {
		const jsm = await this.client.jsm();
		try {
			return await jsm.streams.update(bucketStream(bucket), update);
		} catch (error) {
			throw kvError(error, bucket);
		}
	}

	/** Deletes the bucket with all its keys; a missing bucket is an error. */
	async destroy(bucket: string): Promise<void> {
		const jsm = await this.client.jsm();
		this.handles.delete(bucket);
		try {
			await jsm.streams.delete(bucketStream(bucket));
		} catch (error) {
			throw kvError(error, bucket);
		}
	}

	/** Every bucket of the account, as stream infos. */
	async list(): Promise<StreamInfo[]> {
		const out: StreamInfo[] = [];
		try {
			for await (const status of this.client.kvm().list()) {
				// Under a Subject Prefix only the credential's own buckets.
				if (streamVisible(this.client.credentials.subjectPrefix, status.streamInfo.config.name)) out.push(status.streamInfo);
			}
		} catch (error) {
			throw toNodeError(error);
		}
		return out;
	}

	private open(bucket: string): Promise<KV> {
		let handle = this.handles.get(bucket);
		if (!handle) {
			handle = this.client.kvm().open(bucket);
			// A failed bind must not stick for the remaining items.
			handle.catch(() => this.handles.delete(bucket));
			this.handles.set(bucket, handle);
		}
		return handle;
	}

	private async explain(error: unknown, bucket: string, key: string | undefined): Promise<JetStreamNodeError> {
		// Only a failed write pays for this check; the bucket may be missing or JetStream really off.
		if (isNoResponders(error) && (await this.info(bucket).catch(() => null)) === undefined) {
			return bucketMissing(bucket, error);
		}
		return kvError(error, bucket, key);
	}
}
