import type { StreamConfig, StreamInfo } from '@nats-io/jetstream';

import { bucketInfoToJson, checkBucketFeatures, diffBucket, parseBucketSettings } from '../../../nodes/JetStream/actions/objectStore/bucketSettings';
import { InvalidParameterError, ServerVersionError } from '../../../nodes/shared/errors';

/** Object Store bucket settings: read from the UI once, compared with the existing stream OBJ_<bucket>. */

const config = (over: Partial<StreamConfig> = {}): StreamConfig =>
	({ name: 'OBJ_files', max_bytes: -1, storage: 'file', num_replicas: 1, max_age: 0, description: '', ...over }) as StreamConfig;

describe('Object Store bucket settings', () => {
	it('fills defaults: no size limit, file storage, one replica, no TTL, no compression', () => {
		expect(parseBucketSettings(' files ', {})).toEqual({ bucket: 'files', description: '', maxBytes: -1, storage: 'file', replicas: 1, ttlSeconds: 0, compression: false });
		expect(parseBucketSettings('files', { maxBytes: 0 }).maxBytes).toBe(-1);
		expect(parseBucketSettings('files', { maxBytes: 500, storage: 'memory', replicas: 3, ttlSeconds: 60, compression: true, description: ' scans ' })).toEqual({
			bucket: 'files',
			description: 'scans',
			maxBytes: 500,
			storage: 'memory',
			replicas: 3,
			ttlSeconds: 60,
			compression: true,
		});
	});

	it('refuses bad values naming the field', () => {
		expect(() => parseBucketSettings('my files', {})).toThrow(InvalidParameterError);
		expect(() => parseBucketSettings('my files', {})).toThrow('(field "Bucket")');
		expect(() => parseBucketSettings('files', { replicas: 7 })).toThrow(/Replicas/);
		expect(() => parseBucketSettings('files', { storage: 'tape' })).toThrow('"tape" is not a storage type');
		expect(() => parseBucketSettings('files', { ttlSeconds: -1 })).toThrow(/TTL \(Seconds\)/);
	});

	it('lists the settings an existing bucket has otherwise, and none when they match', () => {
		const wanted = parseBucketSettings('files', { ttlSeconds: 60 });
		expect(diffBucket(config({ max_age: 60e9 }), wanted)).toEqual([]);
		expect(diffBucket(config({ max_age: 0, storage: 'memory' as StreamConfig['storage'] }), wanted)).toEqual([
			{ setting: 'storage', from: 'memory', to: 'file' },
			{ setting: 'ttlSeconds', from: 0, to: 60 },
		]);
		expect(diffBucket(config({ compression: 's2' as StreamConfig['compression'] }), parseBucketSettings('files', {}))).toEqual([{ setting: 'compression', from: true, to: false }]);
	});

	it('refuses compression below server 2.10 with the version', () => {
		expect(() => checkBucketFeatures(parseBucketSettings('files', { compression: true }), '2.9.10')).toThrow(ServerVersionError);
		expect(() => checkBucketFeatures(parseBucketSettings('files', { compression: true }), '2.10.0')).not.toThrow();
		expect(() => checkBucketFeatures(parseBucketSettings('files', {}), '2.9.10')).not.toThrow();
	});

	it('counts object names only where the server was asked for them', () => {
		const info = { config: config(), state: { bytes: 10, messages: 3, subjects: { '$O.files.M.YQ==': 1, '$O.files.M.Yg==': 1 } }, created: '2026-12-07T00:00:00Z' } as unknown as StreamInfo;
		expect(bucketInfoToJson(info, true)).toMatchObject({ bucket: 'files', stream: 'OBJ_files', objects: 2, sizeBytes: 10 });
		expect(bucketInfoToJson(info)).toMatchObject({ objects: null });
	});
});
