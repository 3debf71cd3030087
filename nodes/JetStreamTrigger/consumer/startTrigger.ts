import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { toConsumerConfig, validateConsumerSettings } from '../../shared/consumer/consumerSettings';
import { transportLogger } from '../../shared/n8n/logger';
import { triggerError as nodeError } from '../../shared/n8n/triggerError';
import { closeClient, createClient, type NatsClient } from '../../shared/transport/client';
import { openConnection, type TransportLogger } from '../../shared/transport/connect';
import { openTriggerConsumer, type ConsumerTarget, type TriggerConsumer } from '../../shared/transport/consume';
import { parseCredentials } from '../../shared/transport/credentials';
import { readSettings, type TriggerSettings } from '../settings';
import { ConsumeLoop } from './consumeLoop';
import { prepareFeatures, type TriggerFeatures } from './features';
import { watchLostDeliveries } from './lostDeliveries';
import { UnitProcessor } from './processor';

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

function logStart(logger: TransportLogger, settings: TriggerSettings, consumer: TriggerConsumer): void {
	const { facts } = consumer;
	logger.info(
		`JetStream Trigger reading stream "${facts.stream}" through consumer "${facts.name}"` +
			`${settings.manual ? ' (test run, nothing is acknowledged)' : ''}; ack mode ${settings.ackMode}, ` +
			`up to ${settings.parallel} execution(s) at once${settings.batch ? `, batches of ${settings.batch.size}` : ''}`,
	);
}

/**
 * Activation: settings → own connection (reconnecting for ever) → consumer → consume loop. Anything
 * that fails here throws, so n8n reports the activation error; later failures go to `emitError`.
 */
export async function startTrigger(ctx: ITriggerFunctions): Promise<ITriggerResponse> {
	const logger = transportLogger(ctx.logger, ctx.getNode().name);
	let settings: TriggerSettings;
	let client: NatsClient;
	try {
		settings = readSettings(ctx, (message) => logger.warn(message));
		const credentials = parseCredentials(await ctx.getCredentials('natsApi'));
		client = createClient(await openConnection(credentials, { reconnect: true }, logger), credentials);
	} catch (error) {
		throw nodeError(ctx, error);
	}
	let consumer: TriggerConsumer;
	let features: TriggerFeatures;
	try {
		const target = await consumerTarget(client, settings);
		features = await prepareFeatures(client, settings, logger);
		consumer = await openTriggerConsumer(client, target);
	} catch (error) {
		await client.nc.close();
		throw nodeError(ctx, error);
	}
	const processor = new UnitProcessor({
		ctx,
		settings,
		facts: consumer.facts,
		logger,
		guard: features.guard,
		deadLetter: features.deadLetter,
	});
	const loop = new ConsumeLoop(consumer, processor, settings, logger, {
		fatal: (error) => ctx.emitError(nodeError(ctx, error)),
		recover: async () => await consumer.recover(),
	});
	loop.start();
	logStart(logger, settings, consumer);
	const lostDeliveries = settings.manual ? undefined : await watchLostDeliveries(client, consumer.facts, features.deadLetter, logger, ctx);

	const closeFunction = async () => {
		await loop.close();
		lostDeliveries?.stop();
		const summary = features.summary();
		if (summary) logger.info(summary);
		try {
			await consumer.dispose();
		} catch (error) {
			logger.warn(`Could not delete the test-run consumer (the server removes it after a minute): ${(error as Error).message}`);
		}
		await closeClient(client, logger);
	};
	return { closeFunction };
}
