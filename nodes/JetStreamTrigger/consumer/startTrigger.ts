import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { toConsumerConfig, validateConsumerSettings } from '../../shared/consumer/consumerSettings';
import { InvalidParameterError } from '../../shared/errors';
import { forFeature, needing } from '../../shared/errorMapping';
import { withinDeadline } from '../../shared/execution/sleep';
import { Ticker } from '../../shared/execution/ticker';
import { transportLogger } from '../../shared/n8n/logger';
import { triggerError as nodeError } from '../../shared/n8n/triggerError';
import { watchAnswers, type AdvisoryWatch } from '../../shared/transport';
import { closeClient, createClient, type NatsClient } from '../../shared/transport/client';
import { openConnection, type TransportLogger } from '../../shared/transport/connect';
import { openTriggerConsumer, type ConsumerFacts, type ConsumerTarget, type TriggerConsumer } from '../../shared/transport/consume';
import { parseCredentials } from '../../shared/transport/credentials';
import { readSettings, type TriggerSettings } from '../settings';
import { ConsumeLoop, keepAliveInterval } from './consumeLoop';
import { FEATURE } from './featureNames';
import { prepareFeatures, type TriggerFeatures } from './features';
import { watchLostDeliveries } from './lostDeliveries';
import { UnitProcessor } from './processor';

/**
 * For tests: resolves when a closed trigger has answered every message it held (executions that were
 * still running when it closed end later) and its connection is closed.
 */
export const triggerSettled = new WeakMap<ITriggerResponse, Promise<void>>();

/** The durable's filter and start position, for a test run in bind mode (read, never changed). */
async function copyOfDurable(client: NatsClient, settings: TriggerSettings): Promise<ConsumerTarget> {
	const durable = await openTriggerConsumer(client, { kind: 'bind', stream: settings.stream, durable: settings.durableName });
	const { filter_subject, filter_subjects, deliver_policy, opt_start_seq, opt_start_time } = durable.facts.config;
	return {
		kind: 'ephemeral',
		stream: settings.stream,
		config: { filter_subject, filter_subjects, deliver_policy, opt_start_seq, opt_start_time },
	};
}

async function consumerTarget(client: NatsClient, settings: TriggerSettings): Promise<ConsumerTarget> {
	if (settings.consumer) {
		const config = toConsumerConfig(validateConsumerSettings(settings.consumer, client.serverVersion()));
		if (!settings.manual) return { kind: 'ensure', stream: settings.stream, config };
		// A test run reads with the same filter and start position but never creates or moves the durable.
		const copy = { ...config };
		delete copy.durable_name;
		return { kind: 'ephemeral', stream: settings.stream, config: copy };
	}
	if (settings.manual) return await copyOfDurable(client, settings);
	return { kind: 'bind', stream: settings.stream, durable: settings.durableName };
}

/**
 * What the consumer must be for the trigger's promises to hold: each message answered on its own
 * (explicit acks), and an ack wait the keep-alive can beat while a batch fills.
 */
function checkConsumer(facts: ConsumerFacts, settings: TriggerSettings): void {
	if (settings.manual) return;
	if (facts.ackPolicy !== 'explicit') {
		throw new InvalidParameterError(
			'durableName',
			`Consumer "${facts.name}" acknowledges with policy "${facts.ackPolicy}", but the trigger answers each message on its own`,
			'Use a consumer with Ack Policy "explicit" (the trigger creates one so when it manages the consumer)',
		);
	}
	const batch = settings.batch;
	// The keep-alive runs every third of the ack wait; below a second it cannot be relied on.
	if (batch && facts.ackWaitMs < 1_000 && batch.maxWaitMs >= facts.ackWaitMs) {
		throw new InvalidParameterError(
			'options.batchMaxWait',
			`"Batch Max Wait" (${batch.maxWaitMs / 1000} s) is not shorter than the consumer's ack wait (${facts.ackWaitMs / 1000} s), which is too short to keep a filling batch alive`,
			'Set "Batch Max Wait" below the ack wait, or give the consumer an ack wait (or first backoff step) of at least 1 second',
		);
	}
}

function logStart(logger: TransportLogger, settings: TriggerSettings, consumer: TriggerConsumer, readAhead: number): void {
	const { facts } = consumer;
	logger.info(
		`JetStream Trigger reading stream "${facts.stream}" through consumer "${facts.name}"` +
			`${settings.manual ? ' (test run, nothing is acknowledged)' : ''}; ack mode ${settings.ackMode}, ` +
			`up to ${settings.parallel} execution(s) at once${settings.batch ? `, batches of ${settings.batch.size}` : ''}, ` +
			`${readAhead} read ahead (kept alive every ${keepAliveInterval(facts.ackWaitMs) / 1000} s)`,
	);
}

/** "Later in the workflow" with Skip Duplicates: the key is recorded when an Acknowledge node acks, which the trigger sees on the ack subject. */
async function watchWorkflowAnswers(client: NatsClient, settings: TriggerSettings, loop: ConsumeLoop, facts: ConsumerFacts, logger: TransportLogger): Promise<AdvisoryWatch | undefined> {
	if (settings.manual || settings.ackMode !== 'later') return undefined;
	try {
		return await watchAnswers(client, facts.stream, facts.name, (sequence, kind) => {
			if (kind === 'ack' || kind === 'nak' || kind === 'term') loop.answeredInWorkflow(sequence, kind);
		});
	} catch (error) {
		logger.warn(
			`Cannot see the Acknowledge node's answers: ${(forFeature(error, FEATURE.later) as Error).message}` +
				(settings.idempotency ? '; idempotency keys are therefore not recorded as processed in this mode' : ''),
		);
		return undefined;
	}
}

/**
 * Activation: settings → own connection (reconnecting for ever) → consumer → consume loop. Anything
 * that fails here throws, so n8n reports the activation error; later failures go to `emitError`.
 * Closing stops pulling and hands back what did not start, then returns; executions still running
 * are answered by their outcome when n8n reports it, and only then is the connection closed.
 */
export async function startTrigger(ctx: ITriggerFunctions): Promise<ITriggerResponse> {
	const logger = transportLogger(ctx.logger, ctx.getNode().name);
	let settings: TriggerSettings;
	let client: NatsClient;
	try {
		settings = readSettings(ctx, (message) => logger.warn(message));
		const credentials = parseCredentials(await ctx.getCredentials('jetStreamNatsApi'));
		client = createClient(await openConnection(credentials, { reconnect: true }, logger), credentials);
	} catch (error) {
		throw nodeError(ctx, error);
	}
	const ticker = new Ticker(50, (error) => logger.error(`A timer task of the trigger failed: ${error.message}`));
	let consumer: TriggerConsumer;
	let features: TriggerFeatures;
	try {
		const target = await needing(FEATURE.trigger, consumerTarget(client, settings));
		features = await prepareFeatures(client, settings, logger, ticker);
		consumer = await needing(FEATURE.trigger, openTriggerConsumer(client, target));
		checkConsumer(consumer.facts, settings);
	} catch (error) {
		await client.nc.close();
		throw nodeError(ctx, error);
	}
	const loop = new ConsumeLoop(
		consumer,
		(self) =>
			new UnitProcessor({
				ctx,
				settings,
				facts: consumer.facts,
				logger,
				guard: features.guard,
				deadLetter: features.deadLetter,
				ledger: self.ledger,
				ticker,
				park: (tracked, retryInMs) => self.park(tracked, retryInMs),
				stopping: () => self.stopped,
				seenAnswers: async () => await client.nc.flush(),
				fatal: (error) => self.fail(error),
			}),
		settings,
		logger,
		ticker,
		{
			fatal: (error) => ctx.emitError(nodeError(ctx, error)),
			recover: async () => await consumer.recover(),
		},
	);
	loop.start();
	logStart(logger, settings, consumer, loop.readAhead);
	const lostDeliveries = settings.manual
		? undefined
		: await watchLostDeliveries(
				client,
				consumer.facts,
				settings,
				features.deadLetter,
				{ heldOrAnswered: (sequence) => loop.claimAdvisory(sequence), wasProcessed: features.wasProcessed },
				logger,
				ctx,
			);
	const workflowAnswers = await watchWorkflowAnswers(client, settings, loop, consumer.facts, logger);

	let settled: Promise<void> | undefined;
	const closeFunction = async () => {
		if (settled) return;
		try {
			await loop.close(settings.closeTimeoutMs);
		} catch (error) {
			logger.error(`Closing the trigger did not finish cleanly: ${(error as Error).message}`);
		}
		lostDeliveries?.stop();
		settled = afterlife(loop, settings, () => {
			workflowAnswers?.stop();
			const summary = features.summary();
			if (summary) logger.info(summary);
		}).then(async () => {
			await consumer.dispose().catch((error: unknown) => logger.warn(`Could not delete the test-run consumer (the server removes it after a minute): ${(error as Error).message}`));
			await closeClient(client, logger);
		});
		triggerSettled.set(response, settled);
	};
	const response: ITriggerResponse = { closeFunction };
	return response;
}

/**
 * After closing: the executions that were running end in their own time (n8n waits for them when it
 * shuts down), and their messages are answered by their outcome. Bounded by the execution timeout,
 * after which an execution counts as timed out anyway.
 */
async function afterlife(loop: ConsumeLoop, settings: TriggerSettings, done: () => void): Promise<void> {
	await withinDeadline(loop.settled(), settings.executionTimeoutMs + settings.closeTimeoutMs);
	loop.finish();
	done();
}
