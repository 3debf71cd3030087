import { deadLetter, reasonForKind } from '../../shared/deadLetter';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import type { Delivery } from '../../shared/transport/consume';
import type { DeadLetterSettings } from '../featureSettings';
import type { DeadLetterDetails, DeadLetterSink, DeadLetterStatus } from './hooks';

/** Attempts at storing the copy before the trigger gives the message back (each waits longer: ~8 s in all, about a server restart). */
const ATTEMPTS = 6;
const FIRST_PAUSE_MS = 250;

/**
 * The trigger's dead-letter sink: publishes the copy with its envelope and waits for JetStream's
 * acknowledgement; the processor answers the original (term once stored, nak if not). A failed copy
 * is tried again a few times, because on a message's last delivery a nak would not bring it back.
 */
export function triggerDeadLetterSink(
	client: NatsClient,
	settings: DeadLetterSettings,
	secrets: readonly string[],
	logger: TransportLogger,
): DeadLetterSink {
	const send = async (delivery: Delivery, details: DeadLetterDetails, attempt: number): Promise<DeadLetterStatus> => {
		const result = await deadLetter(client, delivery, {
			reason: reasonForKind(details.kind),
			error: details.error,
			failedNode: details.failedNode,
			subject: settings.subject,
			redactFields: settings.redactFields,
			secrets,
			settle: false,
		});
		if (result.status === 'dead-lettered') {
			logger.info(`Message ${delivery.streamSequence} moved to the dead-letter subject "${result.subject}" (${reasonForKind(details.kind)})`);
			return 'stored';
		}
		logger.error(`Could not dead-letter message ${delivery.streamSequence} (attempt ${attempt} of ${ATTEMPTS}): ${result.error.message}`);
		if (attempt >= ATTEMPTS) return 'failed';
		delivery.working();
		await new Promise((resolve) => setTimeout(resolve, FIRST_PAUSE_MS * 2 ** (attempt - 1)));
		return await send(delivery, details, attempt + 1);
	};
	return { send: async (delivery, details) => await send(delivery, details, 1) };
}
