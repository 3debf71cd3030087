import { toConsumerConfig, validateConsumerSettings } from '../../shared/consumer/consumerSettings';
import { InvalidParameterError } from '../../shared/errors';
import { requireServerVersion } from '../../shared/serverVersion';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import { openTriggerConsumer, type ConsumerFacts, type ConsumerTarget } from '../../shared/transport/consume';
import type { TriggerSettings } from '../settings';
import { keepAliveInterval } from './lifecycle';

/** Which consumer the trigger reads from, and whether it can keep its promises with it. */

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

export async function consumerTarget(client: NatsClient, settings: TriggerSettings): Promise<ConsumerTarget> {
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

/** Options that need a newer server than the consumer itself: refused at activation, naming the version. */
export function checkServerFeatures(settings: TriggerSettings, serverVersion: string): void {
	if (settings.circuitBreaker?.pauseConsumer) requireServerVersion(serverVersion, '2.11.0', 'Circuit Breaker: Pause Consumer on Server');
}

/**
 * What the consumer must be for the trigger's promises to hold: pulled (not pushed), each message
 * answered on its own (explicit acks), and an ack wait the keep-alive can beat while a batch fills.
 */
export function checkConsumer(facts: ConsumerFacts, settings: TriggerSettings): void {
	if (settings.manual) return;
	if (facts.push) {
		throw new InvalidParameterError(
			'durableName',
			`Consumer "${facts.name}" is a push consumer (it delivers to a subject of its own); the trigger pulls its messages`,
			'Bind to a pull consumer (one without a deliver subject), or let the trigger create its consumer',
		);
	}
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

export function logStart(logger: TransportLogger, settings: TriggerSettings, facts: ConsumerFacts, readAhead: number): void {
	const { limits } = facts;
	const { source } = settings;
	const reading = source.kind === 'keyValue' ? `the changes of key-value bucket "${source.bucket}"` : source.kind === 'objectStore' ? `the objects of bucket "${source.bucket}"` : `stream "${facts.stream}"`;
	logger.info(
		`Reading ${reading} through consumer "${facts.name}"` +
			`${settings.manual ? ' (test run, nothing is acknowledged)' : ''}; ack mode ${settings.ackMode}, ` +
			`up to ${settings.parallel} execution(s) at once${settings.batch ? `, batches of ${settings.batch.size}` : ''}, ` +
			`${readAhead} read ahead (kept alive every ${keepAliveInterval(facts.ackWaitMs) / 1000} s); ` +
			`pull requests of ${limits.expiresMs / 1000} s${limits.group ? ` in priority group "${limits.group}"` : ''}`,
	);
}
