import { NodeOperationError } from 'n8n-workflow';

import { readStoredMessage, watchMaxDeliveries, type AdvisoryWatch, type Delivery, type NatsClient, type TransportLogger } from '../../shared/transport';
import type { ConsumerFacts } from '../../shared/transport/consume';
import type { TriggerSettings } from '../settings';
import type { DeadLetterSink, DecodedMessage } from './hooks';
import { decodeDelivery } from './sourcePayload';
import type { TriggerContext } from './steps';

const noAnswer = () => undefined;

export interface LostDeliveryChecks {
	/** True when the trigger holds the message (its outcome will settle it) or answered it lately. */
	heldOrAnswered(sequence: number, deliveries: number): boolean;
	/** True when the message's idempotency key is recorded as processed (absent without Skip Duplicates). */
	wasProcessed?(message: DecodedMessage): Promise<boolean>;
	/** A message the server gave up on was copied to the dead-letter stream. */
	rescued?(): void;
	/** It was given up without a copy (dead-lettering is off). */
	discarded?(): void;
}

/**
 * The last safety net against loss. A message whose last allowed delivery was never answered — lost
 * in transit while the trigger restarted, or n8n stopped mid-execution — is dropped by the server,
 * which only says so in a max-deliveries advisory. The trigger listens for those and dead-letters the
 * message from the stream, unless it was handled after all: the trigger holds it or answered it, or
 * its idempotency key is recorded as processed. The copy's message id is derived from stream,
 * consumer and sequence, so a copy made twice is stored once.
 */
export async function watchLostDeliveries(
	client: NatsClient,
	facts: ConsumerFacts,
	settings: TriggerSettings,
	deadLetter: DeadLetterSink,
	checks: LostDeliveryChecks,
	logger: TransportLogger,
	ctx: TriggerContext,
): Promise<AdvisoryWatch | undefined> {
	const rescue = async (sequence: number, deliveries: number) => {
		if (checks.heldOrAnswered(sequence, deliveries)) {
			logger.debug(`The server stopped delivering message ${sequence}, which this trigger holds or answered; nothing to rescue`);
			return;
		}
		const stored = await readStoredMessage(client, facts.stream, sequence);
		if (!stored) {
			logger.warn(`The server stopped delivering message ${sequence} after ${deliveries} deliveries; it is no longer in stream "${facts.stream}"`);
			return;
		}
		const delivery: Delivery = {
			...stored,
			consumer: facts.name,
			streamSequence: sequence,
			consumerSequence: 0,
			deliveryCount: deliveries,
			timestamp: stored.time,
			storedAtMs: Date.parse(stored.time),
			pending: 0,
			replySubject: '',
			ack: noAnswer,
			nak: noAnswer,
			term: noAnswer,
			working: noAnswer,
		};
		let unchecked = '';
		if (checks.wasProcessed) {
			const payload = decodeDelivery(delivery, settings);
			// When the bucket cannot say, the copy is made anyway: a copy too many can be purged, a lost message cannot be found.
			const processed = payload.kind === 'poison' || payload.kind === 'undecryptable' ? false : await checks.wasProcessed({ delivery, payload }).catch((error: unknown) => {
				unchecked = ` (whether its idempotency key was processed could not be checked: ${(error as Error).message})`;
				return false;
			});
			if (processed) {
				logger.debug(`The server stopped delivering message ${sequence}, but its idempotency key is recorded as processed; nothing to rescue`);
				return;
			}
		}
		const why = `The server stopped delivering message ${sequence} after ${deliveries} deliveries without an answer (its last delivery was lost while the trigger restarted, or n8n stopped during its execution)${unchecked}`;
		const result = await deadLetter.send(delivery, { kind: 'exhausted', error: new Error(why) });
		if (result.status === 'disabled') {
			checks.discarded?.();
			logger.error(`${why}; it stays in the stream but this consumer will not deliver it again. Turn on dead-lettering to keep such messages for redrive`);
			return;
		}
		if (result.status === 'stored') {
			checks.rescued?.();
			logger.warn(`${why}; moved to the dead-letter stream`);
			ctx.saveFailedExecution?.(new NodeOperationError(ctx.getNode(), why, { description: 'Redrive it from the dead-letter stream once the cause is fixed' }));
			return;
		}
		logger.error(`${why}; it could not be copied to the dead-letter stream (${result.error.message}) and stays in the stream, not delivered again by this consumer`);
	};
	try {
		return await watchMaxDeliveries(
			client,
			facts.stream,
			facts.name,
			({ streamSequence, deliveries }) => {
				rescue(streamSequence, deliveries).catch((error: unknown) =>
					logger.error(`Could not dead-letter message ${streamSequence} that the server stopped delivering: ${(error as Error).message}`),
				);
			},
			(error) => logger.error(`Handling a max-deliveries advisory failed: ${error.message}`),
		);
	} catch (error) {
		logger.warn(
			`Cannot watch the server's max-deliveries advisories (${(error as Error).message}); a message whose last delivery is lost during a restart will not be dead-lettered automatically. Allow subscribing to $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${facts.stream}.${facts.name} to enable it`,
		);
		return undefined;
	}
}
