import type { IDataObject } from 'n8n-workflow';
import type { StreamConfig } from '@nats-io/jetstream';

import {
	checkBucketFeatures,
	diffBucket,
	parseBucketSettings,
	toKvOptions,
	updateFor,
	type BucketSettings,
} from '../../../nodes/JetStream/actions/keyValue/bucketSettings';

const NANOS = 1_000_000_000;

/** What `kvm().create()` stores for a bucket with default settings. */
function streamConfig(overrides: Partial<StreamConfig> = {}): StreamConfig {
	return {
		name: 'KV_orders',
		subjects: ['$KV.orders.>'],
		max_msgs_per_subject: 1,
		max_age: 0,
		max_bytes: -1,
		max_msg_size: -1,
		storage: 'file',
		num_replicas: 1,
		duplicate_window: 120 * NANOS,
		...overrides,
	} as StreamConfig;
}

const settings = (raw: IDataObject = {}): BucketSettings => parseBucketSettings('orders', raw);

describe('Key-Value bucket settings', () => {
	it('fills defaults: one value per key, kept forever, no limits, file storage, one replica', () => {
		expect(settings()).toEqual({
			bucket: 'orders',
			history: 1,
			ttlSeconds: 0,
			maxBytes: -1,
			maxValueSize: -1,
			storage: 'file',
			replicas: 1,
			description: '',
			compression: false,
			markerTtlSeconds: 0,
		});
	});

	it('reads 0 as "no limit" for sizes, and checks every range naming the field', () => {
		expect(settings({ maxBytes: 0, maxValueSize: 2048 })).toMatchObject({ maxBytes: -1, maxValueSize: 2048 });
		expect(() => settings({ history: 0 })).toThrow('"History" must be a whole number between 1 and 64, not 0');
		expect(() => settings({ history: 65 })).toThrow('not 65');
		expect(() => settings({ ttlSeconds: -5 })).toThrow('"TTL (Seconds)" must be a whole number');
		expect(() => settings({ ttlSeconds: 1.5 })).toThrow('not 1.5');
		expect(() => settings({ replicas: 7 })).toThrow('"Replicas" must be a whole number between 1 and 5, not 7');
		expect(() => settings({ storage: 'disk' })).toThrow('"disk" is not a storage type');
		expect(() => parseBucketSettings('bad.name', {})).toThrow('"bad.name" is not a valid bucket name');
	});

	it('turns settings into KV options, mentioning compression and marker TTL only when asked for', () => {
		expect(toKvOptions(settings({ history: 5, ttlSeconds: 60, storage: 'memory' }))).toEqual({
			history: 5,
			ttl: 60_000,
			max_bytes: -1,
			maxValueSize: -1,
			storage: 'memory',
			replicas: 1,
		});
		expect(toKvOptions(settings({ compression: true, markerTtlSeconds: 30, description: 'd' }))).toMatchObject({
			compression: true,
			markerTTL: 30_000,
			description: 'd',
		});
	});

	it('finds no difference between a fresh default bucket and default settings', () => {
		expect(diffBucket(streamConfig(), settings())).toEqual([]);
	});

	it('lists each differing setting with its current and wanted value', () => {
		const config = streamConfig({ max_msgs_per_subject: 2, max_age: 600 * NANOS, description: 'old', compression: 's2' as StreamConfig['compression'] });
		expect(diffBucket(config, settings({ history: 8, ttlSeconds: 600, description: 'new' }))).toEqual([
			{ setting: 'history', from: 2, to: 8 },
			{ setting: 'description', from: 'old', to: 'new' },
			{ setting: 'compression', from: true, to: false },
		]);
	});

	it('builds the stream update for the changes, shortening the duplicate window below a shorter TTL', () => {
		const config = streamConfig();
		const wanted = settings({ history: 4, ttlSeconds: 30, maxBytes: 1000, replicas: 3, compression: true });
		expect(updateFor(config, diffBucket(config, wanted), wanted)).toEqual({
			max_msgs_per_subject: 4,
			max_age: 30 * NANOS,
			duplicate_window: 30 * NANOS,
			max_bytes: 1000,
			num_replicas: 3,
			compression: 's2',
		});
		const longer = settings({ ttlSeconds: 3600 });
		expect(updateFor(config, diffBucket(config, longer), longer)).toEqual({ max_age: 3600 * NANOS });
	});

	it('refuses to change storage, or to turn per-key TTL off, saying what to do', () => {
		const config = streamConfig({ subject_delete_marker_ttl: 10 * NANOS });
		const memory = settings({ storage: 'memory', markerTtlSeconds: 10 });
		expect(() => updateFor(config, diffBucket(config, memory), memory)).toThrow(
			'Bucket "orders" uses file storage; the storage of an existing bucket cannot be changed to memory',
		);
		const off = settings({ markerTtlSeconds: 0 });
		expect(() => updateFor(config, diffBucket(config, off), off)).toThrow('Per-key TTL is on for bucket "orders" and cannot be turned off');
		const longer = settings({ markerTtlSeconds: 60 });
		expect(updateFor(config, diffBucket(config, longer), longer)).toEqual({ allow_msg_ttl: true, subject_delete_marker_ttl: 60 * NANOS });
	});

	it('refuses compression before 2.10 and per-key TTL before 2.11, naming the version', () => {
		expect(() => checkBucketFeatures(settings({ compression: true }), '2.9.10')).toThrow('Bucket compression needs NATS server 2.10.0 or newer; this server runs 2.9.10');
		expect(() => checkBucketFeatures(settings({ markerTtlSeconds: 5 }), '2.10.22')).toThrow('needs NATS server 2.11.0 or newer; this server runs 2.10.22');
		expect(() => checkBucketFeatures(settings({ compression: true, markerTtlSeconds: 5 }), '2.11.0')).not.toThrow();
		expect(() => checkBucketFeatures(settings(), '2.9.0')).not.toThrow();
	});
});
