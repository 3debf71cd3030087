import type { StreamConfig } from '@nats-io/jetstream';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { toNanos } from '../../../shared/units';
import { InvalidParameterError } from '../../../shared/errors';
import { validateInteger, validateLimit, validateNumber, validateSubjectFilter } from '../../../shared/validation';
import { readStreamName } from './fields';
import { applyStreamFeatures, streamFeatureOptions } from './streamFeatures';

/**
 * A stream's settings as the user gave them. Only the options the user added are part of the
 * wanted config, so Create or Update compares (and Update changes) exactly those and leaves the rest alone.
 */

export const subjectsField: INodeProperties = {
	displayName: 'Subjects',
	name: 'streamSubjects',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. orders.>, payments.*',
	description: 'Which subjects the stream stores, comma-separated. * matches one word, > the rest (orders.> = everything under orders).',
};

const DAY = 86_400;

function sortedByName(options: INodeProperties[]): INodeProperties[] {
	return [...options].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

export const streamOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'streamOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	// n8n lists a collection's options by name; the newer settings (streamFeatures.ts) join in order.
	options: sortedByName([
		...streamFeatureOptions,
		{ displayName: 'Description', name: 'description', type: 'string', default: '' },
		{
			displayName: 'Discard Policy',
			name: 'discard',
			type: 'options',
			default: 'old',
			description: 'What happens when a limit is reached',
			options: [
				{ name: 'Drop Oldest Messages', value: 'old' },
				{ name: 'Refuse New Messages', value: 'new' },
			],
		},
		{ displayName: 'Duplicate Window (Seconds)', name: 'duplicateWindowSeconds', type: 'number', default: 120, typeOptions: { minValue: 0.001, numberPrecision: 3 }, description: 'How long a message ID (idempotency key) is remembered to drop repeats' },
		{ displayName: 'Max Age (Days)', name: 'maxAgeDays', type: 'number', default: 0, typeOptions: { minValue: 0, numberPrecision: 3 }, description: 'Messages older than this are removed; 0 = no limit (kept until another limit applies)' },
		{ displayName: 'Max Bytes', name: 'maxBytes', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Size limit of the whole stream in bytes; 0 = no limit' },
		{ displayName: 'Max Message Size (Bytes)', name: 'maxMessageSize', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Largest message accepted; 0 = no limit of its own (the server\'s limit applies)' },
		{ displayName: 'Max Messages', name: 'maxMessages', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'How many messages the stream keeps; 0 = no limit' },
		{ displayName: 'Max Messages per Subject', name: 'maxMessagesPerSubject', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'How many messages per subject are kept; 0 = no limit, 1 = only the latest (like a table of current values)' },
		{ displayName: 'Replicas', name: 'replicas', type: 'number', default: 1, typeOptions: { minValue: 1, maxValue: 5 }, description: 'Copies on different servers of a cluster (1 on a single server)' },
		{
			displayName: 'Retention',
			name: 'retention',
			type: 'options',
			default: 'limits',
			description: 'When messages are removed (besides the limits)',
			options: [
				{ name: 'Limits', value: 'limits', description: 'Kept until a limit (age, count, size) removes them; any number of readers' },
				{ name: 'Interest', value: 'interest', description: 'Removed once every consumer has acknowledged them' },
				{ name: 'Work Queue', value: 'workqueue', description: 'Removed once one consumer has acknowledged them' },
			],
		},
		{
			displayName: 'Storage',
			name: 'storage',
			type: 'options',
			default: 'file',
			description: 'Where messages are kept; cannot be changed later',
			options: [
				{ name: 'File', value: 'file', description: 'On disk: survives a restart' },
				{ name: 'Memory', value: 'memory', description: 'In memory: faster, lost on restart' },
			],
		},
	]),
};

type Get = (name: string) => unknown;

const LIMITS: Array<[string, keyof StreamConfig, string, number]> = [
	['maxMessages', 'max_msgs', 'Max Messages', -1],
	['maxBytes', 'max_bytes', 'Max Bytes', -1],
	['maxMessageSize', 'max_msg_size', 'Max Message Size', -1],
	['maxMessagesPerSubject', 'max_msgs_per_subject', 'Max Messages per Subject', -1],
	['replicas', 'num_replicas', 'Replicas', 1],
];

/** min -1: a limit (0 = none); otherwise a whole number from `min` on. */
function limit(value: unknown, field: string, min: number): number {
	return min === -1 ? validateLimit(value, field) : validateInteger(value, field, min);
}

/** The wanted config: name and subjects always, plus each option the user added. */
export function readStreamConfig(fn: IExecuteFunctions, i: number, needSubjects = true, serverVersion = '0.0.0'): Partial<StreamConfig> & { name: string } {
	const name = readStreamName(fn, i);
	const config: Partial<StreamConfig> & { name: string } = { name };
	const subjects = String(fn.getNodeParameter('streamSubjects', i, '') ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
	if (subjects.length === 0 && needSubjects) {
		throw new InvalidParameterError('streamSubjects', '"Subjects" is empty', 'Enter the subjects the stream stores, e.g. orders.>');
	}
	if (subjects.length > 0) config.subjects = subjects.map((s) => validateSubjectFilter(s, 'Subjects'));
	const options = (fn.getNodeParameter('streamOptions', i, {}) ?? {}) as IDataObject;
	const get: Get = (key) => options[key];
	for (const [key, wire, field, min] of LIMITS) if (key in options) (config as IDataObject)[wire] = limit(get(key), field, min);
	if ('maxAgeDays' in options) config.max_age = toNanos(validateNumber(get('maxAgeDays'), 'Max Age (Days)', 0, 36_500) * DAY);
	if ('duplicateWindowSeconds' in options) config.duplicate_window = toNanos(validateNumber(get('duplicateWindowSeconds'), 'Duplicate Window (Seconds)', 0.001, 7 * DAY));
	if ('storage' in options) config.storage = String(get('storage')) as StreamConfig['storage'];
	if ('retention' in options) config.retention = String(get('retention')) as StreamConfig['retention'];
	if ('discard' in options) config.discard = String(get('discard')) as StreamConfig['discard'];
	if ('description' in options) config.description = String(get('description'));
	applyStreamFeatures(config, options, serverVersion);
	return config;
}
