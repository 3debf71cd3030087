import type { Ticker } from '../../shared/execution/ticker';
import { checkNamedDeadLetterStream, deadLetterRoot, deadLetterStreamName, deadLetterSubject, ensureDeadLetterStream, findDeadLetterStream, requireDeadLetterStream } from '../../shared/deadLetter';
import { needing } from '../../shared/errorMapping';
import { ProcessedKeyStore } from '../../shared/idempotency';
import { Outage, type OutageReporting } from '../../shared/n8n/outage';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import { secretValues } from '../../shared/transport/credentials';
import type { TriggerSettings } from '../settings';
import { triggerDeadLetterSink, type DeadLetterWorkflow } from './deadLetterSink';
import { FEATURE } from './featureNames';
import { chainGuards, noDeadLetter, passThroughGuard, type DeadLetterSink, type DecodedMessage, type MessageGuard } from './hooks';
import { IdempotencyGuard } from './idempotencyGuard';
import { RECENTLY_PROCESSED_MS } from './recentlyProcessed';
import { keyReader } from './idempotencyKey';
import { SchemaGuard } from './schemaGuard';
import { onlyPayloads } from './sourcePayload';

export interface TriggerFeatures {
	guard: MessageGuard;
	deadLetter: DeadLetterSink;
	/** Present with Skip Duplicates: whether a message's key is recorded as processed. */
	wasProcessed?(message: DecodedMessage): Promise<boolean>;
	/** A line for the close log: what the features did while the trigger ran. */
	summary(): string | undefined;
}

/**
 * Makes sure a stream stores the dead letters before the first message is read: otherwise every
 * dead-letter publish would fail and bad messages would keep coming back.
 */
async function prepareDeadLetter(client: NatsClient, settings: TriggerSettings, logger: TransportLogger): Promise<string> {
	const options = settings.deadLetter!;
	const subject = options.subject ?? deadLetterSubject(settings.stream, settings.durableName, deadLetterRoot(client.credentials));
	if (options.stream) {
		const name = deadLetterStreamName(client.credentials, options.stream);
		const { created } = await checkNamedDeadLetterStream(client, { name, subject, create: options.createStream, maxAgeMs: options.retentionMs });
		if (created) logger.info(`Created the dead-letter stream "${name}" for subject "${subject}"`);
		return subject;
	}
	if (!options.createStream) {
		await requireDeadLetterStream(client, subject);
		return subject;
	}
	if (!(await findDeadLetterStream(client, subject))) {
		// The shared "DLQ" stream (subjects dlq.>; under a Subject Prefix tenant-a_DLQ, tenant-a.dlq.>); a custom subject is added to it.
		const { stream } = await ensureDeadLetterStream(client, {
			subjects: options.subject ? [subject] : undefined,
			maxAgeMs: options.retentionMs,
		});
		logger.info(`Created the dead-letter stream "${stream.name}" for subject "${subject}"`);
	}
	return subject;
}

/**
 * Dead-letter sink and message guards for a production run, prepared before the consumer is touched
 * so a refusal (no right to create the DLQ stream or the bucket) leaves nothing half-made. A test run
 * ("Listen for test event") gets neither: it must not claim keys or write dead letters for messages
 * it never acknowledges.
 */
export async function prepareFeatures(
	client: NatsClient,
	settings: TriggerSettings,
	reporting: OutageReporting,
	ticker: Ticker,
	workflow: DeadLetterWorkflow,
): Promise<TriggerFeatures> {
	const { logger } = reporting;
	const outage = (what: string, hint: string) => new Outage(what, reporting, settings.retry, hint);
	if (settings.manual) return { guard: passThroughGuard, deadLetter: noDeadLetter, summary: () => undefined };
	let deadLetter = noDeadLetter;
	if (settings.deadLetter) {
		const subject = await needing(FEATURE.deadLetter, prepareDeadLetter(client, settings, logger));
		deadLetter = triggerDeadLetterSink(client, { ...settings.deadLetter, subject, ...workflow }, secretValues(client.credentials), logger);
	}
	// Schema first: an invalid message must not claim an idempotency key.
	const guards: MessageGuard[] = [];
	if (settings.schema) {
		const registryDown = outage('The schema registry', 'Check that the schema registry bucket exists and its server answers; messages wait until it does, none is called invalid meanwhile');
		guards.push(onlyPayloads(await needing(FEATURE.schema, SchemaGuard.create(client, settings.schema, registryDown)), settings.source));
	}
	let idempotency: IdempotencyGuard | undefined;
	if (settings.idempotency) {
		const options = settings.idempotency;
		const store = await needing(FEATURE.idempotency, ProcessedKeyStore.open(client, {
			bucket: options.bucket,
			stream: settings.stream,
			consumer: settings.durableName,
			retentionMs: options.retentionMs,
			leaseMs: options.leaseMs,
			create: options.createBucket,
		}));
		const bucketDown = outage(`The idempotency bucket "${store.bucket}"`, 'Check that the key-value bucket exists and its server answers; messages wait until it does, none is skipped or run twice meanwhile');
		// Never remembered locally longer than the bucket remembers (a retention under a minute).
		const recentMs = Math.min(RECENTLY_PROCESSED_MS, options.retentionMs);
		idempotency = new IdempotencyGuard(store, keyReader(options), logger, ticker, options.leaseMs, bucketDown, recentMs);
		guards.push(idempotency);
	}
	return {
		guard: chainGuards(guards),
		deadLetter,
		wasProcessed: idempotency ? (message) => idempotency.wasProcessed(message) : undefined,
		summary: () => {
			if (!idempotency) return undefined;
			const s = idempotency.stats;
			return `Idempotency: ${s.completed} key(s) processed, ${s.duplicatesSkipped} duplicate(s) skipped, ${s.inProgressSkipped} wait(s) for a key processed elsewhere`;
		},
	};
}
