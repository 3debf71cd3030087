import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import type { StreamConfig, StreamInfo } from '@nats-io/jetstream';

import { InvalidParameterError } from '../../../shared/errors';
import { objectBucketLocator } from '../../../shared/n8n/locators';
import { requireServerVersion } from '../../../shared/serverVersion';
import type { ObjectBucketOptions } from '../../../shared/transport';
import { fromNanos } from '../../../shared/units';
import { validateInteger, validateLimit } from '../../../shared/validation';
import { bucketPlacementFields } from '../bucketPlacement';
import { bucketParameter, validateObjectBucketName } from './fields';

/**
 * An object-store bucket's settings as the user gave them (Create Bucket), what the existing
 * bucket has (from its stream OBJ_<bucket>), and the differences between both.
 */

export type BucketSetting = keyof Omit<ObjectBucketOptions, 'bucket'>;

export interface BucketChange {
	setting: BucketSetting;
	from: string | number | boolean;
	to: string | number | boolean;
}

const DAY_SECONDS = 86_400;

export const bucketOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'objBucketOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Compression',
			name: 'compression',
			type: 'boolean',
			default: false,
			description: 'Whether the server compresses the stored files (saves disk, costs a little CPU). Needs NATS server 2.10 or newer.',
		},
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			default: '',
			description: 'A note about what the bucket holds, shown in monitoring tools',
		},
		{
			displayName: 'Max Bucket Size (Bytes)',
			name: 'maxBytes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'The most data the bucket may hold; once full, new files are refused. 0 = no limit.',
		},
		...bucketPlacementFields,
		{
			displayName: 'TTL (Seconds)',
			name: 'ttlSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 0,
			description: 'Files older than this many seconds are removed automatically (their chunks and entry). 0 keeps files until they are deleted.',
		},
	],
};

/** Create Bucket names a bucket that does not exist yet: typed by default, the list is there to look. */
export const bucketSettingsFields: INodeProperties[] = [objectBucketLocator({ defaultMode: 'name' }), bucketOptionsField];

function storage(value: unknown): 'file' | 'memory' {
	if (value === undefined || value === '' || value === 'file') return 'file';
	if (value === 'memory') return 'memory';
	throw new InvalidParameterError('Storage', `"${String(value)}" is not a storage type`, 'Choose File or Memory');
}

const empty = (value: unknown) => value === undefined || value === null || value === '';

/** Checks and completes the settings; `raw` holds the options by setting name. */
export function parseBucketSettings(bucketValue: unknown, raw: IDataObject): ObjectBucketOptions {
	return {
		bucket: validateObjectBucketName(bucketValue),
		description: String(raw.description ?? '').trim(),
		maxBytes: empty(raw.maxBytes) ? -1 : validateLimit(raw.maxBytes, 'Max Bucket Size (Bytes)'),
		storage: storage(raw.storage),
		replicas: empty(raw.replicas) ? 1 : validateInteger(raw.replicas, 'Replicas', 1, 5),
		ttlSeconds: empty(raw.ttlSeconds) ? 0 : validateInteger(raw.ttlSeconds, 'TTL (Seconds)', 0, 3650 * DAY_SECONDS),
		compression: raw.compression === true,
	};
}

export function readBucketSettings(fn: IExecuteFunctions, itemIndex: number): ObjectBucketOptions {
	const options = (fn.getNodeParameter('objBucketOptions', itemIndex, {}) ?? {}) as IDataObject;
	return parseBucketSettings(bucketParameter(fn, itemIndex), options);
}

/** Refuses options the connected server would reject. */
export function checkBucketFeatures(settings: ObjectBucketOptions, serverVersion: string): void {
	if (settings.compression) requireServerVersion(serverVersion, '2.10.0', 'Bucket compression');
}

export function settingsFromConfig(config: StreamConfig): Omit<ObjectBucketOptions, 'bucket'> {
	return {
		description: config.description ?? '',
		maxBytes: config.max_bytes > 0 ? config.max_bytes : -1,
		storage: config.storage === 'memory' ? 'memory' : 'file',
		replicas: config.num_replicas,
		ttlSeconds: Math.round(fromNanos(config.max_age)),
		compression: config.compression !== undefined && config.compression !== 'none',
	};
}

export function diffBucket(config: StreamConfig, wanted: ObjectBucketOptions): BucketChange[] {
	const current = settingsFromConfig(config);
	const keys: BucketSetting[] = ['description', 'maxBytes', 'storage', 'replicas', 'ttlSeconds', 'compression'];
	return keys.filter((k) => current[k] !== wanted[k]).map((setting) => ({ setting, from: current[setting], to: wanted[setting] }));
}

/**
 * A bucket's settings and state as an output item. `objects` counts the object names (a deleted
 * object keeps its entry as a marker, so it counts too); null where the listing did not ask the
 * server for the names (Get Many Buckets).
 */
export function bucketInfoToJson(info: StreamInfo, countObjects = false): IDataObject {
	const name = info.config.name;
	return {
		bucket: name.startsWith('OBJ_') ? name.slice(4) : name,
		stream: name,
		objects: countObjects ? Object.keys(info.state.subjects ?? {}).length : null,
		sizeBytes: info.state.bytes,
		...settingsFromConfig(info.config),
		sealed: info.config.sealed === true,
		created: info.created,
	};
}
