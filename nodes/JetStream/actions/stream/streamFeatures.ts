import type { StreamConfig } from '@nats-io/jetstream';
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { requireServerVersion } from '../../../shared/serverVersion';
import { toNanos } from '../../../shared/units';
import { validateNumber, validatePublishSubject, validateSubjectFilter } from '../../../shared/validation';

/**
 * Stream settings that newer servers added and users set: metadata and subject transforms (2.10),
 * per-message TTL and subject delete markers (2.11), schedules, counters and atomic batches (2.12).
 * Each is refused on an older server (which would ignore it silently) before the stream is written.
 */

interface Feature {
	option: string;
	label: string;
	since: string;
}

const FEATURES: Feature[] = [
	{ option: 'metadata', label: 'Metadata', since: '2.10.0' },
	{ option: 'subjectTransformSource', label: 'Subject Transform', since: '2.10.0' },
	{ option: 'allowMsgTtl', label: 'Allow Per-Message TTL', since: '2.11.0' },
	{ option: 'subjectDeleteMarkerTtlSeconds', label: 'Subject Delete Marker TTL', since: '2.11.0' },
	{ option: 'allowMsgSchedules', label: 'Allow Message Schedules', since: '2.12.0' },
	{ option: 'allowMsgCounter', label: 'Allow Counters', since: '2.12.0' },
	{ option: 'allowAtomic', label: 'Allow Atomic Batches', since: '2.12.0' },
];

const flag = (name: string, displayName: string, description: string): INodeProperties => ({ displayName, name, type: 'boolean', default: false, description });

export const streamFeatureOptions: INodeProperties[] = [
	flag('allowAtomic', 'Allow Atomic Batches', 'Whether Publish may store all items of an execution or none ("All Items or None"; allow_atomic). Needs nats-server 2.12+.'),
	flag('allowMsgCounter', 'Allow Counters', 'Whether the stream keeps counters for Counter → Increment (allow_msg_counter). Needs nats-server 2.12+; set when the stream is created (an update cannot change it), and not together with Allow Per-Message TTL.'),
	flag('allowMsgSchedules', 'Allow Message Schedules', 'Whether Publish may schedule messages on this stream (allow_msg_schedules). Needs nats-server 2.12+ (repeating schedules 2.14+).'),
	flag('allowMsgTtl', 'Allow Per-Message TTL', 'Whether a message may carry its own Time To Live (allow_msg_ttl). Needs nats-server 2.11+; cannot be turned off later.'),
	{
		displayName: 'Metadata',
		name: 'metadata',
		type: 'json',
		default: '{}',
		description: 'Your own labels as a JSON object of texts, e.g. {"owner": "billing"}. Needs nats-server 2.10+.',
	},
	{
		displayName: 'Subject Delete Marker TTL (Seconds)',
		name: 'subjectDeleteMarkerTtlSeconds',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0 },
		description: 'When Max Age removes the last message of a subject, leave a marker for so many seconds, so a consumer sees the subject is gone (subject_delete_marker_ttl). Needs nats-server 2.11+ and Allow Per-Message TTL; 0 = no markers.',
	},
	{
		displayName: 'Subject Transform: From',
		name: 'subjectTransformSource',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.*',
		description: 'Store messages arriving on these subjects under another subject (subject_transform.src). Needs nats-server 2.10+ and "Subject Transform: To".',
	},
	{
		displayName: 'Subject Transform: To',
		name: 'subjectTransformDestination',
		type: 'string',
		default: '',
		placeholder: 'e.g. orders.eu.{{wildcard(1)}}',
		description: 'The subject they are stored under; {{wildcard(1)}} is the first wildcard of "From" (subject_transform.dest)',
	},
];

function readMetadata(value: unknown): Record<string, string> {
	let parsed: unknown = value;
	let problem: string | undefined;
	if (typeof value === 'string') {
		try {
			parsed = JSON.parse(value || '{}');
		} catch (error) {
			problem = (error as Error).message;
		}
	}
	if (problem !== undefined) throw new InvalidParameterError('metadata', `"Metadata" is not JSON (${problem})`, 'Write a JSON object of texts, e.g. {"owner": "billing"}');
	const entries = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : undefined;
	if (!entries || entries.some(([, v]) => typeof v !== 'string')) {
		throw new InvalidParameterError('metadata', '"Metadata" must be a JSON object whose values are texts', 'E.g. {"owner": "billing", "tier": "gold"}');
	}
	return Object.fromEntries(entries) as Record<string, string>;
}

/** Adds to `config` each newer setting the user added; refuses one the server is too old for. */
export function applyStreamFeatures(config: Partial<StreamConfig>, options: IDataObject, serverVersion: string): void {
	for (const f of FEATURES) if (f.option in options && options[f.option] !== false && options[f.option] !== '') requireServerVersion(serverVersion, f.since, `The stream setting "${f.label}"`);
	for (const [option, wire] of [
		['allowMsgTtl', 'allow_msg_ttl'],
		['allowMsgSchedules', 'allow_msg_schedules'],
		['allowMsgCounter', 'allow_msg_counter'],
		['allowAtomic', 'allow_atomic'],
	] as const) {
		if (option in options) (config as IDataObject)[wire] = options[option] === true;
	}
	if ('metadata' in options) config.metadata = readMetadata(options.metadata);
	if ('subjectDeleteMarkerTtlSeconds' in options) {
		const seconds = validateNumber(options.subjectDeleteMarkerTtlSeconds, 'Subject Delete Marker TTL (Seconds)', 0, 365 * 86_400);
		(config as IDataObject).subject_delete_marker_ttl = seconds > 0 ? toNanos(seconds) : 0;
	}
	const src = String(options.subjectTransformSource ?? '').trim();
	const dest = String(options.subjectTransformDestination ?? '').trim();
	if (src || dest) {
		if (!src || !dest) throw new InvalidParameterError('subjectTransformSource', 'A subject transform needs both "Subject Transform: From" and "Subject Transform: To"', 'Fill in both, or neither');
		config.subject_transform = { src: validateSubjectFilter(src, 'Subject Transform: From'), dest: dest.includes('{{') ? dest : validatePublishSubject(dest, 'Subject Transform: To') };
	}
}
