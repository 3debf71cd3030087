import type { ITriggerFunctions } from 'n8n-workflow';

import type { EncryptionKey } from '../shared/payload/crypto';
import { CONSUMER_TUNING_NAMES, readConsumerSettings, splitSubjects } from '../shared/consumer/consumerFields';
import type { ConsumerSettings } from '../shared/consumer/consumerSettings';
import { locatorName } from '../shared/n8n/locators';
import type { ContentMode } from '../shared/payload/decode';
import { validateBucketName } from '../shared/idempotency/keys';
import { DEFAULT_STATS_BUCKET } from '../shared/stats/bucket';
import { InvalidParameterError } from '../shared/errors';
import { clamp, oneOf, subjectContains, validateConsumerName, validateStreamName, validateSubjectFilter } from '../shared/validation';
import { readDeadLetter, readIdempotency, readSchema, type DeadLetterSettings, type IdempotencySettings, type SchemaSettings } from './featureSettings';

/**
 * Every parameter of the trigger, read once at activation into a typed object. Out-of-range numbers
 * are clamped and reported as warnings; values that cannot mean anything are refused with an error
 * that names the field. The rest of the trigger only sees `TriggerSettings`.
 */

export type AckMode = 'immediately' | 'executionFinishes' | 'executionSucceeds' | 'later';
export type { ContentMode };
export type ConsumerMode = 'bind' | 'createOrUpdate';

export interface BatchSettings {
	size: number;
	maxWaitMs: number;
}

export interface RetrySettings {
	baseDelayMs: number;
	maxDelayMs: number;
}

export interface CircuitBreakerSettings {
	failureThreshold: number;
	coolDownMs: number;
	/** While open, the consumer is paused on the server too (2.11+): every instance reading it stops, visibly. */
	pauseConsumer: boolean;
}

/**
 * What the trigger's stream holds, which decides what an item says: messages of a stream, the changes
 * of a key-value bucket (stream KV_<bucket>), or the objects of an object store (stream OBJ_<bucket>).
 * All three are read by the same consume path.
 */
export type TriggerSource =
	| { kind: 'stream' }
	| { kind: 'keyValue'; bucket: string }
	| { kind: 'objectStore'; bucket: string; download: boolean };

export interface TriggerSettings {
	source: TriggerSource;
	stream: string;
	consumerMode: ConsumerMode;
	durableName: string;
	/** Only in "createOrUpdate" mode; validated against the server version once connected. */
	consumer?: ConsumerSettings;
	/** "Create Stream If Missing" (only in "createOrUpdate" mode): what a missing stream is created with. */
	newStream?: NewStreamSettings;
	ackMode: AckMode;
	content: ContentMode;
	payloadOnly: boolean;
	binaryProperty: string;
	/** Executions running at the same time (each one message, or one batch). */
	parallel: number;
	/** Undefined: one message per execution. */
	batch?: BatchSettings;
	retry: RetrySettings;
	/** After this an execution that never reported back counts as failed and its messages are redelivered. */
	executionTimeoutMs: number;
	/** Messages per second; undefined = no limit. */
	rateLimitPerSecond?: number;
	circuitBreaker?: CircuitBreakerSettings;
	closeTimeoutMs: number;
	/** Undefined: dead-lettering is off (messages that cannot succeed are only terminated and recorded). */
	deadLetter?: DeadLetterSettings;
	/** Undefined: no consumer-side idempotency check. */
	idempotency?: IdempotencySettings;
	/** Undefined: messages are not validated. */
	schema?: SchemaSettings;
	/** The credential's payload keys (set once connected): an encrypted message is decrypted with the one its header names. */
	encryptionKeys?: readonly EncryptionKey[];
	/** "Listen for test event": a throwaway consumer, nothing acknowledged. */
	manual: boolean;
	stats: StatsSettings;
}

export interface NewStreamSettings {
	subjects: string[];
}

export interface StatsSettings {
	/** How often the figures are logged (when something happened) and written. */
	intervalMs: number;
	/** Where they are written; undefined: nowhere (log and /metrics only). */
	bucket?: string;
}

export type Reader = Pick<ITriggerFunctions, 'getNodeParameter' | 'getMode'>;

/** A new consumer starts with new messages: a first activation never replays the stream by surprise. */
export const TRIGGER_DELIVER_POLICY = 'new';

const ACK_MODES: AckMode[] = ['immediately', 'executionFinishes', 'executionSucceeds', 'later'];
const CONTENT_MODES: ContentMode[] = ['auto', 'json', 'text', 'binary'];

/** The selection fields are on the panel itself, the tuning ones in its "Consumer Settings" collection. */
function readConsumer(ctx: Reader, durableName: string): ConsumerSettings {
	const tuning = (ctx.getNodeParameter('consumerOptions', {}) ?? {}) as Record<string, unknown>;
	const get = (name: string, fallback: unknown): unknown => {
		if (!CONSUMER_TUNING_NAMES.includes(name)) return ctx.getNodeParameter(name, fallback) as unknown;
		return name in tuning ? tuning[name] : fallback;
	};
	return readConsumerSettings(get, durableName, 'n8n JetStream Trigger', TRIGGER_DELIVER_POLICY);
}

/**
 * "Create Stream If Missing": the subjects the stream is created with. "Stream Subjects" when given;
 * else the Filter Subjects, since what the trigger reads is what the stream must store; else
 * "<stream>.>". A filter of ">" alone means "every message" and gets that default too: a stream
 * storing ">" would also store every reply and request on the server.
 */
function readNewStream(ctx: Reader, stream: string, consumer: ConsumerSettings | undefined): NewStreamSettings | undefined {
	if (!consumer || ctx.getNodeParameter('createStream', false) !== true) return undefined;
	const typed = splitSubjects(ctx.getNodeParameter('streamSubjects', ''));
	const filters = consumer.filterSubjects.filter((filter) => filter !== '>');
	const chosen = typed.length > 0 ? typed : filters.length > 0 ? filters : [`${stream}.>`];
	const subjects = chosen.map((subject) => validateSubjectFilter(subject, 'Stream Subjects'));
	const unstored = filters.find((filter) => !subjects.some((subject) => subjectContains(subject, filter)));
	if (unstored !== undefined) {
		throw new InvalidParameterError(
			'streamSubjects',
			`Filter subject "${unstored}" is not among the "Stream Subjects" (${subjects.join(', ')}): the trigger would read nothing from the new stream`,
			'Add it to "Stream Subjects", or leave "Stream Subjects" empty to create the stream with the Filter Subjects',
		);
	}
	return { subjects };
}

function readOptional(options: Record<string, unknown>, warn: (m: string) => void) {
	const batchSize = clamp(options.batchSize ?? 1, 'Batch Size', 1, 1000, warn);
	const rate = clamp(options.rateLimit ?? 0, 'Rate Limit', 0, 100_000, warn);
	const breakerFailures = clamp(options.circuitBreakerFailures ?? 0, 'Circuit Breaker Failures', 0, 1000, warn);
	return {
		batch:
			batchSize > 1
				? { size: Math.round(batchSize), maxWaitMs: Math.round(clamp(options.batchMaxWait ?? 1, 'Batch Max Wait', 0.01, 600, warn) * 1000) }
				: undefined,
		rateLimitPerSecond: rate > 0 ? rate : undefined,
		circuitBreaker:
			breakerFailures > 0
				? {
						failureThreshold: Math.round(breakerFailures),
						coolDownMs: clamp(options.circuitBreakerCoolDown ?? 60, 'Circuit Breaker Cool-Down', 1, 86_400, warn) * 1000,
						pauseConsumer: options.circuitBreakerPauseConsumer === true,
					}
				: undefined,
	};
}

function readFeatures(ctx: Reader, warn: (m: string) => void) {
	const get = (name: string, fallback: unknown) => ctx.getNodeParameter(name, fallback) as unknown;
	const clampWarn = (value: unknown, field: string, min: number, max: number) => clamp(value, field, min, max, warn);
	return { deadLetter: readDeadLetter(get, clampWarn), idempotency: readIdempotency(get, clampWarn), schema: readSchema(get) };
}

function readStatsBucket(value: unknown): string | undefined {
	const bucket = locatorName(value ?? DEFAULT_STATS_BUCKET).trim();
	return bucket ? validateBucketName(bucket, 'Statistics Bucket') : undefined;
}

/** The settings every trigger reading a stream shares: acknowledging, pacing, retries, features. */
export type BehaviourSettings = Omit<TriggerSettings, 'source' | 'stream' | 'consumerMode' | 'durableName' | 'consumer' | 'newStream'>;

/** Reads what happens to each message once read, common to the JetStream, key-value and object store triggers. */
export function readBehaviour(ctx: Reader, warn: (message: string) => void): BehaviourSettings {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as Record<string, unknown>;
	const baseDelayMs = clamp(options.retryDelay ?? 5, 'Retry Delay', 0.05, 3600, warn) * 1000;
	const maxDelayMs = Math.max(baseDelayMs, clamp(options.maxRetryDelay ?? 300, 'Max Retry Delay', 0.05, 86_400, warn) * 1000);
	return {
		ackMode: oneOf(ctx.getNodeParameter('ackMode', 'executionSucceeds'), ACK_MODES, 'Acknowledge'),
		content: oneOf(options.content ?? 'auto', CONTENT_MODES, 'Content'),
		payloadOnly: options.payloadOnly === true,
		binaryProperty: String(options.binaryPropertyName ?? 'data').trim() || 'data',
		parallel: Math.round(clamp(options.parallelExecutions ?? 5, 'Parallel Executions', 1, 1000, warn)),
		retry: { baseDelayMs, maxDelayMs },
		executionTimeoutMs: clamp(options.executionTimeout ?? 3600, 'Execution Timeout', 1, 7 * 86_400, warn) * 1000,
		closeTimeoutMs: clamp(options.closeTimeout ?? 5, 'Close Timeout', 0.1, 600, warn) * 1000,
		manual: ctx.getMode() === 'manual',
		stats: {
			intervalMs: clamp(options.statsInterval ?? 60, 'Statistics Interval', 5, 3600, warn) * 1000,
			bucket: readStatsBucket(options.statsBucket),
		},
		...readOptional(options, warn),
		...readFeatures(ctx, warn),
	};
}

/** Reads and checks the trigger's parameters; `warn` receives a line for each value it adjusted. */
export function readSettings(ctx: Reader, warn: (message: string) => void): TriggerSettings {
	const stream = validateStreamName(locatorName(ctx.getNodeParameter('stream', '', { extractValue: true })), 'Stream');
	const consumerMode = oneOf(ctx.getNodeParameter('consumerMode', 'createOrUpdate'), ['bind', 'createOrUpdate'], 'Consumer');
	// A picker when binding, a plain name when the trigger creates the consumer: both read the same way.
	const durableName = validateConsumerName(locatorName(ctx.getNodeParameter('durableName', '', { extractValue: true })), 'Durable Name');
	const consumer = consumerMode === 'createOrUpdate' ? readConsumer(ctx, durableName) : undefined;
	return {
		source: { kind: 'stream' },
		stream,
		consumerMode,
		durableName,
		consumer,
		newStream: readNewStream(ctx, stream, consumer),
		...readBehaviour(ctx, warn),
	};
}
