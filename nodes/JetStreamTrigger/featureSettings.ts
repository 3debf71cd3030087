import { InvalidParameterError } from '../shared/errors';
import { locatorName } from '../shared/n8n/locators';
import { validateHeaderName, validatePublishSubject, validateStreamName } from '../shared/validation';
import { readSchemaSource, type SchemaSource } from '../shared/schema';
import { keyReader, type KeySource } from './consumer/idempotencyKey';

/**
 * Dead-letter and idempotency parameters of the trigger, read once with the other settings. Kept
 * apart from settings.ts so each file stays about one thing.
 */

export interface DeadLetterSettings {
	/** Undefined: `dlq.<stream>.<consumer>`. */
	subject?: string;
	/** The stream that stores the dead letters; undefined: found by subject (needs $JS.API.STREAM.NAMES). */
	stream?: string;
	/** Create the dead-letter stream at activation when no stream captures the subject. */
	createStream: boolean;
	/** Retention of a stream the trigger creates; 0 = keep for ever. */
	retentionMs: number;
	/** JSON fields removed from the dead-letter copy ("password", "card.number"). */
	redactFields: string[];
	/** An execution error containing this text dead-letters the message at once; empty = off. */
	permanentFailureMarker: string;
}

export interface IdempotencySettings extends KeySource {
	/** Undefined: `n8n_processed_<stream>_<consumer>`. */
	bucket?: string;
	retentionMs: number;
	leaseMs: number;
	/** Create the bucket when missing. */
	createBucket: boolean;
}

type Get = (name: string, fallback: unknown) => unknown;
type Clamp = (value: unknown, field: string, min: number, max: number) => number;

const DAY_MS = 86_400_000;

function list(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

export function readDeadLetter(get: Get, clamp: Clamp): DeadLetterSettings | undefined {
	if (get('deadLetter', true) === false) return undefined;
	const options = (get('deadLetterOptions', {}) ?? {}) as Record<string, unknown>;
	const subject = String(options.deadLetterSubject ?? '').trim();
	// A picker inside a collection: n8n's extractValue does not reach it, so its value may be a locator.
	const stream = locatorName(options.deadLetterStream).trim();
	return {
		stream: stream ? validateStreamName(stream, 'Dead-Letter Stream') : undefined,
		subject: subject ? validatePublishSubject(subject, 'Dead-Letter Subject') : undefined,
		createStream: options.createDeadLetterStream !== false,
		retentionMs: clamp(options.deadLetterRetentionDays ?? 30, 'Dead-Letter Retention (Days)', 0, 3650) * DAY_MS,
		redactFields: list(options.redactFields),
		permanentFailureMarker: String(options.permanentFailureMarker ?? '[permanent]'),
	};
}

export function readIdempotency(get: Get, clamp: Clamp): IdempotencySettings | undefined {
	const source = get('idempotency', 'none');
	if (source === 'none') return undefined;
	if (source !== 'messageId' && source !== 'header' && source !== 'payloadField') {
		throw new InvalidParameterError('idempotency', `Skip Duplicates by Key cannot be "${String(source)}"`, 'Choose Off, Message ID Header, Another Header or Payload Field');
	}
	const options = (get('idempotencyOptions', {}) ?? {}) as Record<string, unknown>;
	const settings: IdempotencySettings = {
		source,
		header: 'Nats-Msg-Id',
		field: '',
		bucket: locatorName(options.idempotencyBucket).trim() || undefined,
		retentionMs: clamp(options.idempotencyRetentionDays ?? 7, 'Remember Keys For (Days)', 0.001, 3650) * DAY_MS,
		leaseMs: clamp(options.idempotencyLeaseSeconds ?? 30, 'Claim Lease (Seconds)', 5, 86_400) * 1000,
		createBucket: options.createIdempotencyBucket !== false,
	};
	if (source === 'header') settings.header = validateHeaderName(String(get('idempotencyHeader', '')).trim(), 'Key Header');
	if (source === 'payloadField') {
		settings.field = String(get('idempotencyField', '')).trim();
		if (!settings.field) {
			throw new InvalidParameterError('idempotencyField', 'Key Field is empty', 'Enter the payload field that identifies a message, e.g. orderId or {{ $json.order.id }}');
		}
		// Refuses a template it could never fill, now rather than at the first message.
		keyReader(settings);
	}
	return settings;
}

export interface SchemaSettings {
	source: Exclude<SchemaSource, { kind: 'none' }>;
	/** Dead-letter an invalid message (default), or run the workflow with the violations attached. */
	onViolation: 'deadLetter' | 'passOn';
}

export function readSchema(get: Get): SchemaSettings | undefined {
	const source = readSchemaSource(get);
	if (source.kind === 'none') return undefined;
	const onViolation = get('schemaViolation', 'deadLetter') === 'passOn' ? 'passOn' : 'deadLetter';
	return { source, onViolation };
}
