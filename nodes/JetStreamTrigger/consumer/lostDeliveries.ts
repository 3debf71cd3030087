import { NodeOperationError } from 'n8n-workflow';

import { readStoredMessage, watchMaxDeliveries, type AdvisoryWatch, type NatsClient, type TransportLogger } from '../../shared/transport';
import type { ConsumerFacts, Delivery } from '../../shared/transport/consume';
import type { DeadLetterSink } from './hooks';
import type { TriggerContext } from './processor';

const noAnswer = () => undefined;

/**
 * The last safety net against loss. A message whose last allowed delivery was never answered — lost
 * in transit while the trigger restarted (the client drops what arrives after it unsubscribes), or
 * n8n stopped mid-execution — is dropped by the server, which only says so in a max-deliveries
 * advisory. The trigger listens for those and dead-letters the message from the stream. The copy's
 * message id is derived from stream, consumer and sequence, so a copy made twice is stored once.
 */
export async function watchLostDeliveries(
	client: NatsClient,
	facts: ConsumerFacts,
	deadLetter: DeadLetterSink,
	logger: TransportLogger,
	ctx: TriggerContext,
): Promise<AdvisoryWatch | undefined> {
	const rescue = async (sequence: number, deliveries: number) => {
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
			pending: 0,
			replySubject: '',
			ack: noAnswer,
			nak: noAnswer,
			term: noAnswer,
			working: noAnswer,
		};
		const why = `The server stopped delivering message ${sequence} after ${deliveries} deliveries without an answer (its last delivery was lost while the trigger restarted, or n8n stopped during its execution)`;
		const status = await deadLetter.send(delivery, { kind: 'exhausted', error: new Error(why) });
		if (status === 'disabled') {
			logger.error(`${why}; it stays in the stream but this consumer will not deliver it again. Turn on dead-lettering to keep such messages for redrive`);
			return;
		}
		if (status === 'stored') {
			logger.warn(`${why}; moved to the dead-letter stream`);
			ctx.saveFailedExecution?.(new NodeOperationError(ctx.getNode(), why, { description: 'Redrive it from the dead-letter stream once the cause is fixed' }));
		}
	};
	try {
		return await watchMaxDeliveries(client, facts.stream, facts.name, ({ streamSequence, deliveries }) => {
			rescue(streamSequence, deliveries).catch((error: unknown) =>
				logger.error(`Could not dead-letter message ${streamSequence} that the server stopped delivering: ${(error as Error).message}`),
			);
		});
	} catch (error) {
		logger.warn(
			`Cannot watch the server's max-deliveries advisories (${(error as Error).message}); a message whose last delivery is lost during a restart will not be dead-lettered automatically. Allow subscribing to $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.> to enable it`,
		);
		return undefined;
	}
}
