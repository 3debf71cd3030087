import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEAD_LETTER_REASONS, deadLetterStreamName, DEFAULT_DLQ_STREAM, type DeadLetterFilter } from '../../../shared/deadLetter';
import type { NatsCredentials } from '../../../shared/transport/credentials';
import { InvalidParameterError } from '../../../shared/errors';
import { deadLetterStreamLocator, locatorName, streamLocator } from '../../../shared/n8n/locators';
import { validateStreamName, validateSubjectFilter } from '../../../shared/validation';

/** Fields shared by the Dead Letter operations, and reading them into the library's types. */

export const dlqStreamField: INodeProperties = deadLetterStreamLocator({
	defaultMode: 'name',
	defaultValue: DEFAULT_DLQ_STREAM,
	description:
		'The stream that stores failed messages (the dead-letter queue). The JetStream Trigger sends messages it gives up on to subjects like dlq.ORDERS.my-consumer (dlq, the stream, the consumer), which this stream captures.',
});

const REASON_LABELS: Record<string, string> = {
	'max-deliveries': 'Max Deliveries Reached',
	'parse-error': 'Could Not Parse',
	'decrypt-failed': 'Could Not Decrypt',
	'schema-invalid': 'Schema Invalid',
	rejected: 'Rejected',
};

export const filterField: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	description: 'Only dead letters matching all of these',
	options: [
		{
			displayName: 'Dead-Lettered After',
			name: 'from',
			type: 'dateTime',
			default: '',
			description: 'Only messages dead-lettered at or after this time',
		},
		{
			displayName: 'Dead-Lettered Before',
			name: 'to',
			type: 'dateTime',
			default: '',
			description: 'Only messages dead-lettered before this time',
		},
		{
			displayName: 'Original Consumer',
			name: 'originalConsumer',
			type: 'string',
			default: '',
			description: 'Only messages that failed in this consumer (the trigger\'s durable name)',
		},
		streamLocator({
			name: 'originalStream',
			displayName: 'Original Stream',
			required: false,
			description: 'Only messages that came from this stream',
		}),
		{
			displayName: 'Original Subject',
			name: 'originalSubject',
			type: 'string',
			default: '',
			placeholder: 'e.g. orders.*',
			description: 'Only messages first published to this subject; * matches one token, > the rest (orders.>)',
		},
		{
			displayName: 'Reasons',
			name: 'reasons',
			type: 'multiOptions',
			default: [],
			description: 'Only messages dead-lettered for these reasons',
			options: DEAD_LETTER_REASONS.map((value) => ({ name: REASON_LABELS[value], value })),
		},
	],
};

/** With the credential, the default "DLQ" means the credential's own (under a Subject Prefix "tenant-a_DLQ"). */
export function readDlqStream(fn: IExecuteFunctions, itemIndex: number, credentials?: NatsCredentials): string {
	const name = validateStreamName(locatorName(fn.getNodeParameter('dlqStream', itemIndex, '', { extractValue: true })), 'Dead-Letter Stream');
	return credentials ? deadLetterStreamName(credentials, name) : name;
}

export function readDate(value: unknown, field: string): Date | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const date = new Date(String(value));
	if (Number.isNaN(date.getTime())) {
		throw new InvalidParameterError(field, `"${String(value)}" in "${field}" is not a date and time`, 'Use an ISO date such as 2024-05-01T12:00:00Z');
	}
	return date;
}

function text(value: unknown): string | undefined {
	const s = value === undefined || value === null ? '' : String(value).trim();
	return s === '' ? undefined : s;
}

export function readFilter(fn: IExecuteFunctions, itemIndex: number): DeadLetterFilter {
	const raw = fn.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const subject = text(raw.originalSubject);
	const reasons = Array.isArray(raw.reasons) ? raw.reasons.map(String) : [];
	return {
		reasons: reasons.length > 0 ? reasons : undefined,
		originalSubject: subject ? validateSubjectFilter(subject, 'Original Subject') : undefined,
		originalStream: text(locatorName(raw.originalStream)),
		originalConsumer: text(raw.originalConsumer),
		from: readDate(raw.from, 'Dead-Lettered After'),
		to: readDate(raw.to, 'Dead-Lettered Before'),
	};
}

/** "3, 7, 10-12" → [3, 7, 10, 11, 12]; names the part that is wrong. */
export function parseSequences(raw: string, field = 'Sequences', maxCount = 10_000): number[] {
	const out: number[] = [];
	for (const part of raw.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
		const range = /^(\d+)\s*-\s*(\d+)$/.exec(part);
		const [from, to] = range ? [Number(range[1]), Number(range[2])] : [Number(part), Number(part)];
		if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 1 || to < from) {
			throw new InvalidParameterError(field, `"${part}" in "${field}" is not a sequence number or range`, 'Use numbers and ranges separated by commas, e.g. 3, 7, 10-12');
		}
		if (out.length + (to - from + 1) > maxCount) {
			throw new InvalidParameterError(field, `"${field}" selects more than ${maxCount} messages`, 'Use "Range" or "Filter" to select many messages');
		}
		for (let n = from; n <= to; n++) out.push(n);
	}
	if (out.length === 0) {
		throw new InvalidParameterError(field, `"${field}" is empty`, 'Enter the sequence numbers shown by "Get Many", e.g. 3, 7, 10-12');
	}
	return [...new Set(out)];
}
