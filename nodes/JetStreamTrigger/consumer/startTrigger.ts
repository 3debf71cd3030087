import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { forFeature } from '../../shared/errorMapping';
import { withinDeadline } from '../../shared/execution/sleep';
import { Ticker } from '../../shared/execution/ticker';
import { transportLogger } from '../../shared/n8n/logger';
import { ConnectionHealth, Outage, triggerReporting, type OutageReporting } from '../../shared/n8n/outage';
import { watchTriggerConnection } from '../../shared/n8n/triggerConnection';
import { triggerError as nodeError } from '../../shared/n8n/triggerError';
import { watchAnswers, type AdvisoryWatch } from '../../shared/transport';
import { closeClient, createClient, type NatsClient } from '../../shared/transport/client';
import { openConnection, type TransportLogger } from '../../shared/transport/connect';
import type { ConsumerFacts, TriggerConsumer } from '../../shared/transport/consume';
import { parseCredentials, secretValues } from '../../shared/transport/credentials';
import { readSettings, type TriggerSettings } from '../settings';
import { checkConsumer, checkServerFeatures, consumerTarget, logStart } from './activation';
import { ConsumeLoop } from './consumeLoop';
import { FEATURE } from './featureNames';
import { openConsumer, onTriggerStream } from './missingStream';
import { prepareFeatures, type TriggerFeatures } from './features';
import { watchLostDeliveries } from './lostDeliveries';
import { ObjectContent } from './objectContent';
import { observeTrigger } from './statsReporter';

/**
 * For tests: resolves when a closed trigger has answered every message it held (executions that were
 * still running when it closed end later) and its connection is closed.
 */
export const triggerSettled = new WeakMap<ITriggerResponse, Promise<void>>();

/** "Later in the workflow": the trigger sees an Acknowledge node's answer on the ack subject. */
async function watchWorkflowAnswers(
	client: NatsClient,
	settings: TriggerSettings,
	facts: ConsumerFacts,
	answered: (sequence: number, kind: 'ack' | 'nak' | 'term') => void,
	logger: TransportLogger,
): Promise<AdvisoryWatch | undefined> {
	if (settings.manual || settings.ackMode !== 'later') return undefined;
	try {
		return await watchAnswers(
			client,
			facts.stream,
			facts.name,
			(sequence, kind) => {
				if (kind === 'ack' || kind === 'nak' || kind === 'term') answered(sequence, kind);
			},
			(error) => logger.error(`Handling an Acknowledge node's answer failed: ${error.message}`),
		);
	} catch (error) {
		logger.warn(
			`Cannot see the Acknowledge node's answers: ${(forFeature(error, FEATURE.later) as Error).message}` +
				(settings.idempotency ? '; idempotency keys are therefore not recorded as processed in this mode' : ''),
		);
		return undefined;
	}
}

/** Reads a trigger's parameters: the JetStream Trigger's, or a bucket trigger's (key-value, object store). */
export type SettingsReader = (ctx: ITriggerFunctions, warn: (message: string) => void) => TriggerSettings;

/** "Download Content" of the object store trigger; in a test run too, which shows the file. */
function objectContent(ctx: ITriggerFunctions, client: NatsClient, settings: TriggerSettings, reporting: OutageReporting): ObjectContent | undefined {
	const { source } = settings;
	if (source.kind !== 'objectStore' || !source.download) return undefined;
	const unreadable = new Outage(
		`Object store bucket "${source.bucket}"`,
		reporting,
		settings.retry,
		'Check that the bucket exists and its server answers; the changes wait, none is run without its file meanwhile',
	);
	return new ObjectContent(client, source.bucket, ctx.helpers.prepareBinaryData.bind(ctx.helpers), unreadable, reporting.logger);
}

/** Settings → own connection (reconnecting for ever, also through refused logins) → features → consumer. */
async function activate(ctx: ITriggerFunctions, reporting: OutageReporting, ticker: Ticker, read: SettingsReader) {
	let settings: TriggerSettings;
	let client: NatsClient;
	try {
		settings = read(ctx, (message) => reporting.logger.warn(message));
		const credentials = parseCredentials(await ctx.getCredentials('jetStreamNatsApi'));
		settings.encryptionKeys = credentials.encryptionKeys;
		client = createClient(await openConnection(credentials, { reconnect: true, outlastLoginRefusals: true }), credentials);
	} catch (error) {
		throw nodeError(ctx, error);
	}
	try {
		checkServerFeatures(settings, client.serverVersion());
		const target = await onTriggerStream(settings, consumerTarget(client, settings));
		const features: TriggerFeatures = await prepareFeatures(client, settings, reporting, ticker, { workflowId: ctx.getWorkflow().id ?? '', workflowName: ctx.getWorkflow().name ?? '' });
		const consumer: TriggerConsumer = await openConsumer(client, settings, target, reporting.logger);
		checkConsumer(consumer.facts, settings);
		return { settings, client, features, consumer };
	} catch (error) {
		await client.nc.close();
		throw nodeError(ctx, error);
	}
}

/**
 * Activation: anything that fails here throws, so n8n reports the activation error; later failures
 * that cannot heal go to `emitError`, outages that can are said and ridden out. Closing stops pulling
 * and hands back what did not start, then returns; executions still running are answered by their
 * outcome when n8n reports it, and only then is the connection closed.
 */
export async function startTrigger(ctx: ITriggerFunctions, read: SettingsReader = readSettings): Promise<ITriggerResponse> {
	const logger = transportLogger(ctx.logger, ctx.getNode().name);
	const health = new ConnectionHealth();
	const reporting = triggerReporting(ctx, logger, health);
	const ticker = new Ticker(50, (error) => logger.error(`A timer task of the trigger failed: ${error.message}`));
	const { settings, client, features, consumer } = await activate(ctx, reporting, ticker, read);
	const observed = observeTrigger(ctx, client, settings, consumer.facts, logger, ticker, () => !health.down && loop.reading);
	const loop = new ConsumeLoop(
		consumer,
		{
			ctx,
			settings,
			facts: consumer.facts,
			logger,
			guard: features.guard,
			content: objectContent(ctx, client, settings, reporting),
			deadLetter: features.deadLetter,
			ticker,
			reporting,
			stats: observed.stats,
			seenAnswers: async () => await client.nc.flush(),
		},
		{ fatal: (error) => ctx.emitError(nodeError(ctx, error)), recover: async () => await consumer.recover() },
	);
	const connection = watchTriggerConnection(client, loop, reporting, secretValues(client.credentials));
	// Before reading: settling needs to know whether the Acknowledge node's answers can be seen.
	const workflowAnswers = await watchWorkflowAnswers(client, settings, consumer.facts, (sequence, kind) => loop.answeredInWorkflow(sequence, kind), logger);
	loop.start(workflowAnswers !== undefined);
	logStart(logger, settings, consumer.facts, loop.readAhead);
	const lostDeliveries = settings.manual
		? undefined
		: await watchLostDeliveries(
				client,
				consumer.facts,
				settings,
				features.deadLetter,
				{
					heldOrAnswered: (sequence, deliveries) => loop.serverGaveUp(sequence, deliveries),
					wasProcessed: features.wasProcessed,
					rescued: () => observed.stats.deadLettered('max-deliveries'),
					discarded: () => observed.stats.discarded(),
				},
				logger,
				ctx,
			);

	/**
	 * After closing: the executions that were running end in their own time (n8n waits for them when it
	 * shuts down), and their messages are answered by their outcome. Bounded by the execution timeout,
	 * after which an execution counts as timed out anyway.
	 */
	const afterlife = async () => {
		await withinDeadline(loop.settled(), settings.executionTimeoutMs + settings.closeTimeoutMs);
		loop.finish();
		lostDeliveries?.stop();
		await observed.close();
		ticker.stop();
		reporting.close();
		workflowAnswers?.stop();
		const summary = features.summary();
		if (summary) logger.info(summary);
		await connection.stop();
		await consumer.dispose().catch((error: unknown) => logger.warn(`Could not delete the test-run consumer (the server removes it after a minute): ${(error as Error).message}`));
		await closeClient(client, logger);
	};
	let closing: Promise<void> | undefined;
	const close = async () => {
		try {
			await loop.close(settings.closeTimeoutMs);
		} catch (error) {
			logger.error(`Closing the trigger did not finish cleanly: ${(error as Error).message}`);
		}
		triggerSettled.set(response, afterlife().catch((error: unknown) => logger.error(`Closing the trigger's connection failed: ${(error as Error).message}`)));
	};
	// n8n may close twice at once (deactivation while shutting down): one close, awaited by both.
	const response: ITriggerResponse = {
		closeFunction: async () => {
			closing ??= close();
			await closing;
		},
	};
	return response;
}
