import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { deadLetterStreamName, DEFAULT_DLQ_STREAM } from '../../../shared/deadLetter/naming';
import type { NatsCredentials } from '../../../shared/transport/credentials';
import { validateBucketName } from '../../../shared/idempotency/keys';
import { bucketLocator, deadLetterStreamLocator, locatorName } from '../../../shared/n8n/locators';
import { DEFAULT_STATS_BUCKET } from '../../../shared/stats/bucket';
import { validateNumber, validateStreamName } from '../../../shared/validation';
import { DEFAULT_THRESHOLDS, type HealthThresholds } from './health';

/** The thresholds of Consumer Health, and where the trigger statistics are read from. */

export const healthOptionsField: INodeProperties = {
	displayName: 'Options',
	name: 'healthOptions',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Dead Letters Within (Minutes)',
			name: 'deadLetterWindow',
			type: 'number',
			default: 60,
			typeOptions: { minValue: 1 },
			description: 'Only dead letters stored this recently count toward "failing"',
		},
		deadLetterStreamLocator({
			name: 'deadLetterStream',
			required: false,
			defaultMode: 'name',
			defaultValue: DEFAULT_DLQ_STREAM,
			description: 'Where the consumer\'s trigger stores dead letters; they are counted by reason. Empty = do not count them.',
		}),
		{
			displayName: 'Failing at Dead Letters',
			name: 'failingAtDeadLetters',
			type: 'number',
			default: DEFAULT_THRESHOLDS.failingAtDeadLetters,
			typeOptions: { minValue: 0 },
			description: 'The consumer is "failing" from this many dead letters within the window. 0 = dead letters never make it failing.',
		},
		{
			displayName: 'Failing at Redelivered',
			name: 'failingAtRedelivered',
			type: 'number',
			default: DEFAULT_THRESHOLDS.failingAtRedelivered,
			typeOptions: { minValue: 0 },
			description: 'The consumer is "failing" from this many messages being delivered again (retried). 0 = never.',
		},
		{
			displayName: 'Lagging at Pending',
			name: 'laggingAt',
			type: 'number',
			default: DEFAULT_THRESHOLDS.laggingAt,
			typeOptions: { minValue: 1 },
			description: 'The consumer is "lagging" from this many messages waiting to be read',
		},
		{
			displayName: 'Stalled After (Seconds)',
			name: 'stalledAfter',
			type: 'number',
			default: DEFAULT_THRESHOLDS.stalledAfterMs / 1000,
			typeOptions: { minValue: 1 },
			description: 'The consumer is "stalled" when messages wait and nothing was delivered or acknowledged for this long. Set it above your longest execution.',
		},
	],
};

export interface HealthOptions {
	thresholds: HealthThresholds;
	/** Undefined: dead letters are not counted. */
	deadLetterStream?: string;
	deadLetterWindowMs: number;
}

export function readHealthOptions(fn: IExecuteFunctions, i: number, credentials: NatsCredentials): HealthOptions {
	const options = (fn.getNodeParameter('healthOptions', i, {}) ?? {}) as Record<string, unknown>;
	const number = (name: string, label: string, fallback: number, min: number) => validateNumber(options[name] ?? fallback, label, min, 1_000_000_000);
	const stream = locatorName(options.deadLetterStream ?? DEFAULT_DLQ_STREAM).trim();
	return {
		thresholds: {
			laggingAt: number('laggingAt', 'Lagging at Pending', DEFAULT_THRESHOLDS.laggingAt, 1),
			stalledAfterMs: number('stalledAfter', 'Stalled After (Seconds)', DEFAULT_THRESHOLDS.stalledAfterMs / 1000, 1) * 1000,
			failingAtDeadLetters: number('failingAtDeadLetters', 'Failing at Dead Letters', DEFAULT_THRESHOLDS.failingAtDeadLetters, 0),
			failingAtRedelivered: number('failingAtRedelivered', 'Failing at Redelivered', DEFAULT_THRESHOLDS.failingAtRedelivered, 0),
		},
		deadLetterStream: stream ? deadLetterStreamName(credentials, validateStreamName(stream, 'Dead-Letter Stream')) : undefined,
		deadLetterWindowMs: number('deadLetterWindow', 'Dead Letters Within (Minutes)', 60, 1) * 60_000,
	};
}

export const statsBucketField: INodeProperties = bucketLocator({
	name: 'statsBucket',
	displayName: 'Statistics Bucket',
	description: 'The key-value bucket the triggers write their figures to (their option of the same name)',
	defaultMode: 'name',
	defaultValue: DEFAULT_STATS_BUCKET,
});

export function readStatsBucket(fn: IExecuteFunctions, i: number): string {
	return validateBucketName(locatorName(fn.getNodeParameter('statsBucket', i, DEFAULT_STATS_BUCKET, { extractValue: true })), 'Statistics Bucket');
}
