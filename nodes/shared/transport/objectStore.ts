import type { Readable } from 'node:stream';

import type { StreamInfo } from '@nats-io/jetstream';
import { Objm, type ObjectInfo, type ObjectStore, type ObjectStoreOptions } from '@nats-io/obj';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';

import type { NatsClient } from './client';
import { fromNodeStream, toNodeStream, type ByteCounter } from './byteStreams';
import { OBJ_BUCKET_STREAM_PREFIX } from './names';
import { streamVisible } from './subjectPrefix';
import { chunkStream } from './objectDownload';

/**
 * JetStream Object Store on one connection: the only code that imports @nats-io/obj. A bucket `b` is
 * the stream OBJ_b; an object is a metadata message on `$O.b.M.<name>` plus its chunks on
 * `$O.b.C.<nuid>`. Objects go in and out as Node streams, chunk by chunk, never as one buffer.
 */

export const objectBucketStream = (bucket: string): string => `${OBJ_BUCKET_STREAM_PREFIX}${bucket}`;

export interface ObjectBucketOptions {
	bucket: string;
	description: string;
	/** -1 = no limit. */
	maxBytes: number;
	storage: 'file' | 'memory';
	replicas: number;
	/** 0 = objects kept until deleted. */
	ttlSeconds: number;
	compression: boolean;
}

export interface StoredObject {
	bucket: string;
	name: string;
	size: number;
	chunks: number;
	/** As nats.js gives it: "SHA-256=<base64url>"; empty for a deleted object or a link. */
	digest: string;
	/** ISO time of the last write. */
	modified: string;
	description: string;
	headers: Record<string, string>;
	metadata: Record<string, string>;
	deleted: boolean;
	/** Stream sequence of the object's metadata message. */
	revision: number;
	/** Where a link points: a whole bucket (name null) or one object. */
	link: { bucket: string; name: string | null } | null;
}

export interface NewObject {
	name: string;
	description?: string;
	headers?: Record<string, string>;
	metadata?: Record<string, string>;
}

export interface ObjectDownload {
	info: StoredObject;
	data: Readable;
}

/** Headers as nats.js gives them: MsgHdrs from info()/get(), the stored record (name → values) from watch(). */
function headerRecord(info: ObjectInfo): Record<string, string> {
	const out: Record<string, string> = {};
	const h = info.headers as unknown;
	if (!h || typeof h !== 'object') return out;
	if (typeof (h as MsgHdrs).keys === 'function') {
		for (const key of (h as MsgHdrs).keys()) out[key] = (h as MsgHdrs).values(key).join(', ');
		return out;
	}
	for (const [key, values] of Object.entries(h as Record<string, string[] | string>)) out[key] = ([] as string[]).concat(values).join(', ');
	return out;
}

/** `bucket` is where the entry lives: nats.js writes the target's bucket into a link's entry. */
export function toStoredObject(info: ObjectInfo, bucket: string): StoredObject {
	const link = info.options?.link;
	return {
		bucket,
		name: info.name,
		// A link's entry has neither.
		size: info.size ?? 0,
		chunks: info.chunks ?? 0,
		digest: info.digest ?? '',
		modified: info.mtime ? new Date(info.mtime).toISOString() : '',
		description: info.description ?? '',
		headers: headerRecord(info),
		metadata: { ...(info.metadata ?? {}) },
		deleted: info.deleted ?? false,
		revision: info.revision ?? 0,
		link: link ? { bucket: link.bucket, name: link.name || null } : null,
	};
}

function storeOptions(o: ObjectBucketOptions): Partial<ObjectStoreOptions> {
	const options: Partial<ObjectStoreOptions> = {
		storage: o.storage as ObjectStoreOptions['storage'],
		replicas: o.replicas,
		max_bytes: o.maxBytes,
		ttl: o.ttlSeconds * 1_000_000_000,
	};
	if (o.description) options.description = o.description;
	// Only sent when asked for: a 2.9 server rejects a config that merely mentions compression.
	if (o.compression) options.compression = true;
	return options;
}

/**
 * One execution's access to object-store buckets: a handle per bucket, opened once (without the
 * stream-info probe: a missing bucket shows on first use, where the caller names it).
 */
export class ObjectStoreAccess {
	private readonly handles = new Map<string, Promise<ObjectStore>>();
	private manager: Objm | undefined;

	constructor(private readonly client: NatsClient) {}

	private objm(): Objm {
		this.manager ??= new Objm(this.client.js);
		return this.manager;
	}

	/** The bucket's stream info (with the metadata subjects, to count objects), or undefined when missing. */
	async bucketInfo(bucket: string): Promise<StreamInfo | undefined> {
		const jsm = await this.client.jsm();
		try {
			return await jsm.streams.info(objectBucketStream(bucket), { subjects_filter: `$O.${bucket}.M.>` });
		} catch (error) {
			if ((error as { code?: unknown }).code === 10059 || /stream not found/i.test(String((error as Error).message))) return undefined;
			throw error;
		}
	}

	async createBucket(options: ObjectBucketOptions): Promise<StreamInfo> {
		const store = await this.objm().create(options.bucket, storeOptions(options));
		this.handles.set(options.bucket, Promise.resolve(store));
		return (await store.status()).streamInfo;
	}

	async deleteBucket(bucket: string): Promise<void> {
		this.handles.delete(bucket);
		await (await this.client.jsm()).streams.delete(objectBucketStream(bucket));
	}

	async listBuckets(limit: number): Promise<StreamInfo[]> {
		const out: StreamInfo[] = [];
		for await (const status of this.objm().list()) {
			if (out.length >= limit) break;
			// Under a Subject Prefix only the credential's own buckets.
			if (streamVisible(this.client.credentials.subjectPrefix, status.streamInfo.config.name)) out.push(status.streamInfo);
		}
		return out;
	}

	async info(bucket: string, name: string): Promise<StoredObject | null> {
		const info = await (await this.open(bucket)).info(name);
		return info ? toStoredObject(info, bucket) : null;
	}

	/** Every object's latest entry; deleted ones only when asked for. */
	async list(bucket: string, includeDeleted: boolean): Promise<StoredObject[]> {
		const watch = await (await this.open(bucket)).watch({ includeHistory: true, ignoreDeletes: !includeDeleted, historyOnly: true } as Parameters<ObjectStore['watch']>[0]);
		const out: StoredObject[] = [];
		for await (const info of watch) out.push(toStoredObject(info, bucket));
		return out;
	}

	/** Streams `source` into the bucket; `counter` sees every piece as it is read. */
	async put(bucket: string, object: NewObject, source: Readable, counter?: ByteCounter): Promise<StoredObject> {
		const h = natsHeaders();
		for (const [key, value] of Object.entries(object.headers ?? {})) h.set(key, value);
		const meta = { name: object.name, description: object.description, headers: h, metadata: object.metadata };
		return toStoredObject(await (await this.open(bucket)).put(meta, fromNodeStream(source, counter)), bucket);
	}

	/**
	 * The object and a stream of its bytes (failing when they do not match the digest); null when
	 * missing or deleted. A link is followed to its target, as nats.js does.
	 */
	async get(bucket: string, name: string, progress?: (info: StoredObject) => ByteCounter | undefined): Promise<ObjectDownload | null> {
		const found = await (await this.open(bucket)).info(name);
		if (!found || found.deleted) return null;
		const link = found.options?.link;
		if (link) {
			if (!link.name) throw new Error('link is a bucket');
			return this.get(link.bucket, link.name, progress);
		}
		const info = toStoredObject(found, bucket);
		const chunks = await chunkStream(this.client, {
			stream: objectBucketStream(bucket),
			subject: `$O.${bucket}.C.${found.nuid}`,
			size: info.size,
			digest: info.digest,
		});
		return { info, data: toNodeStream(chunks, progress?.(info)) };
	}

	/** Marks the object deleted and purges its chunks; false when it does not exist. */
	async delete(bucket: string, name: string): Promise<boolean> {
		return (await (await this.open(bucket)).delete(name)).success;
	}

	/** `name` in `bucket` points at `target` in `targetBucket`, or at the whole of `targetBucket`. */
	async link(bucket: string, name: string, targetBucket: string, target?: string): Promise<StoredObject | 'target-missing'> {
		const store = await this.open(bucket);
		const other = await this.open(targetBucket);
		if (target === undefined) return toStoredObject(await store.linkStore(name, other), bucket);
		const info = await other.info(target);
		if (!info || info.deleted) return 'target-missing';
		return toStoredObject(await store.link(name, info), bucket);
	}

	private open(bucket: string): Promise<ObjectStore> {
		let handle = this.handles.get(bucket);
		if (!handle) {
			handle = this.objm().open(bucket, false);
			handle.catch(() => this.handles.delete(bucket));
			this.handles.set(bucket, handle);
		}
		return handle;
	}
}
