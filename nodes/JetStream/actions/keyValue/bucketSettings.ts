import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import type { StreamConfig, StreamUpdateConfig } from '@nats-io/jetstream';
import type { KvOptions } from '@nats-io/kv';

import { fromNanos, toNanos } from '../../../shared/units';
import { InvalidParameterError, JetStreamNodeError } from '../../../shared/errors';
import { requireServerVersion } from '../../../shared/serverVersion';
import { validateInteger, validateLimit } from '../../../shared/validation';
import { bucketParameter } from './fields';
import { validateKvBucketName } from '../../../shared/keyValue/keyRules';

/**
 * A bucket's settings as the user gave them, resolved once per item, and what they mean for the
 * stream KV_<bucket> behind the bucket: the options to create it, and the differences to an existing
 * one (for Create or Update Bucket, and for Create Bucket on a bucket that already exists).
 */

export type BucketStorage = 'file' | 'memory';

export interface BucketSettings {
	bucket: string;
	/** Values kept per key, 1–64 (1 = only the latest). */
	history: number;
	/** Age after which a value is removed; 0 = kept until deleted. */
	ttlSeconds: number;
	/** -1 = no limit. */
	maxBytes: number;
	/** -1 = no limit. */
	maxValueSize: number;
	storage: BucketStorage;
	replicas: number;
	description: string;
	/** S2 compression of the stored data (server 2.10+). */
	compression: boolean;
	/** > 0 turns on per-key TTL (server 2.11+) and keeps expiry markers this long; 0 = off. */
	markerTtlSeconds: number;
}

export interface BucketChange {
	setting: keyof Omit<BucketSettings, 'bucket'>;
	from: string | number | boolean;
	to: string | number | boolean;
}

/** The server keeps at most this many values per key in a KV bucket. */
export const MAX_HISTORY = 64;
const DAY_SECONDS = 86_400;

export const DEFAULT_BUCKET_SETTINGS: Omit<BucketSettings, 'bucket'> = {
	history: 1,
	ttlSeconds: 0,
	maxBytes: -1,
	maxValueSize: -1,
	storage: 'file',
	replicas: 1,
	description: '',
	compression: false,
	markerTtlSeconds: 0,
};

/** An option left empty is no limit too. */
function limit(value: unknown, field: string): number {
	if (value === undefined || value === null || value === '') return -1;
	return validateLimit(value, field);
}

function seconds(value: unknown, field: string, max = 3650 * DAY_SECONDS): number {
	if (value === undefined || value === null || value === '') return 0;
	return validateInteger(value, field, 0, max);
}

function storage(value: unknown): BucketStorage {
	if (value === undefined || value === '' || value === 'file') return 'file';
	if (value === 'memory') return 'memory';
	throw new InvalidParameterError('Storage', `"${String(value)}" is not a storage type`, 'Choose File or Memory');
}

/** Checks and completes the settings; `raw` holds the UI values by setting name. */
export function parseBucketSettings(bucketValue: unknown, raw: IDataObject): BucketSettings {
	const d = DEFAULT_BUCKET_SETTINGS;
	return {
		bucket: validateKvBucketName(bucketValue),
		history: raw.history === undefined ? d.history : validateInteger(raw.history, 'History', 1, MAX_HISTORY),
		ttlSeconds: seconds(raw.ttlSeconds, 'TTL (Seconds)'),
		maxBytes: limit(raw.maxBytes, 'Max Bucket Size (Bytes)'),
		maxValueSize: limit(raw.maxValueSize, 'Max Value Size (Bytes)'),
		storage: storage(raw.storage),
		replicas: raw.replicas === undefined ? d.replicas : validateInteger(raw.replicas, 'Replicas', 1, 5),
		description: String(raw.description ?? '').trim(),
		compression: raw.compression === true,
		markerTtlSeconds: seconds(raw.markerTtlSeconds, 'Per-Key TTL Marker (Seconds)'),
	};
}

/** Bucket name, History and TTL are fields of their own; the rest is in "Options" (`kvBucketOptions`). */
export function readBucketSettings(fn: IExecuteFunctions, itemIndex: number): BucketSettings {
	const options = (fn.getNodeParameter('kvBucketOptions', itemIndex, {}) ?? {}) as IDataObject;
	return parseBucketSettings(bucketParameter(fn, itemIndex), {
		...options,
		history: fn.getNodeParameter('kvHistory', itemIndex, DEFAULT_BUCKET_SETTINGS.history),
		ttlSeconds: fn.getNodeParameter('kvTtlSeconds', itemIndex, DEFAULT_BUCKET_SETTINGS.ttlSeconds),
	});
}

/** Refuses options the connected server would reject or silently ignore. */
export function checkBucketFeatures(settings: BucketSettings, serverVersion: string): void {
	if (settings.compression) requireServerVersion(serverVersion, '2.10.0', 'Bucket compression');
	if (settings.markerTtlSeconds > 0) requireServerVersion(serverVersion, '2.11.0', 'Per-key TTL (Per-Key TTL Marker)');
}

/** Options for `kvm().create()` when the bucket does not exist yet. */
export function toKvOptions(s: BucketSettings): Partial<KvOptions> {
	const options: Partial<KvOptions> = {
		history: s.history,
		ttl: s.ttlSeconds * 1000,
		max_bytes: s.maxBytes,
		maxValueSize: s.maxValueSize,
		storage: s.storage,
		replicas: s.replicas,
	};
	if (s.description) options.description = s.description;
	// Only sent when asked for: a 2.9 server rejects a config that merely mentions compression.
	if (s.compression) options.compression = true;
	if (s.markerTtlSeconds > 0) options.markerTTL = s.markerTtlSeconds * 1000;
	return options;
}

/** The bucket's current settings, read back from its stream's config. */
export function settingsFromConfig(config: StreamConfig): Omit<BucketSettings, 'bucket'> {
	return {
		history: config.max_msgs_per_subject,
		ttlSeconds: Math.round(fromNanos(config.max_age)),
		maxBytes: config.max_bytes > 0 ? config.max_bytes : -1,
		maxValueSize: config.max_msg_size > 0 ? config.max_msg_size : -1,
		storage: config.storage === 'memory' ? 'memory' : 'file',
		replicas: config.num_replicas,
		description: config.description ?? '',
		compression: config.compression !== undefined && config.compression !== 'none',
		markerTtlSeconds: Math.round(fromNanos(config.subject_delete_marker_ttl)),
	};
}

/** Settings that differ between the existing bucket and the requested ones. */
export function diffBucket(config: StreamConfig, wanted: BucketSettings): BucketChange[] {
	const current = settingsFromConfig(config);
	const keys = Object.keys(DEFAULT_BUCKET_SETTINGS) as Array<BucketChange['setting']>;
	return keys
		.filter((setting) => current[setting] !== wanted[setting])
		.map((setting) => ({ setting, from: current[setting], to: wanted[setting] }));
}

/**
 * The stream update that applies `changes`. Refuses the changes the server cannot make, with the
 * way out, instead of letting the server answer with a stream-level error.
 */
export function updateFor(config: StreamConfig, changes: BucketChange[], wanted: BucketSettings): Partial<StreamUpdateConfig> {
	const update: Partial<StreamUpdateConfig> = {};
	for (const change of changes) {
		switch (change.setting) {
			case 'storage':
				throw new JetStreamNodeError('conflict', `Bucket "${wanted.bucket}" uses ${change.from} storage; the storage of an existing bucket cannot be changed to ${change.to}`, {
					hint: 'Keep the storage as it is, or delete the bucket and create it again (its values are lost)',
				});
			case 'markerTtlSeconds':
				if (wanted.markerTtlSeconds === 0) {
					throw new JetStreamNodeError('conflict', `Per-key TTL is on for bucket "${wanted.bucket}" and cannot be turned off`, {
						hint: `Set "Per-Key TTL Marker (Seconds)" to a value above 0 (now ${change.from})`,
					});
				}
				update.allow_msg_ttl = true;
				update.subject_delete_marker_ttl = toNanos(wanted.markerTtlSeconds);
				break;
			case 'history':
				update.max_msgs_per_subject = wanted.history;
				break;
			case 'ttlSeconds':
				update.max_age = toNanos(wanted.ttlSeconds);
				// The server refuses a duplicate window longer than the max age.
				if (wanted.ttlSeconds > 0 && (config.duplicate_window ?? 0) > update.max_age) update.duplicate_window = update.max_age;
				break;
			case 'maxBytes':
				update.max_bytes = wanted.maxBytes;
				break;
			case 'maxValueSize':
				update.max_msg_size = wanted.maxValueSize;
				break;
			case 'replicas':
				update.num_replicas = wanted.replicas;
				break;
			case 'description':
				update.description = wanted.description;
				break;
			case 'compression':
				update.compression = wanted.compression ? 's2' : 'none';
				break;
		}
	}
	return update;
}
