import { deadLetter, reasonForKind } from '../../shared/deadLetter';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import type { DeadLetterSettings } from '../featureSettings';
import type { DeadLetterSink } from './hooks';

/** The workflow a dead letter names: the trigger's own (it is never told the id of the execution that failed). */
export interface DeadLetterWorkflow {
	workflowId: string;
	workflowName: string;
}

/**
 * The trigger's dead-letter sink: publishes the copy with its envelope and waits for JetStream's
 * acknowledgement; the processor answers the original (term once stored). A copy that could not be
 * stored is reported as `failed` at once: the processor keeps the message and tries again later.
 */
export function triggerDeadLetterSink(
	client: NatsClient,
	settings: DeadLetterSettings & DeadLetterWorkflow,
	secrets: readonly string[],
	logger: TransportLogger,
): DeadLetterSink {
	return {
		send: async (delivery, details) => {
			const result = await deadLetter(client, delivery, {
				reason: reasonForKind(details.kind),
				error: details.error,
				failedNode: details.failedNode,
				workflowId: settings.workflowId,
				workflowName: settings.workflowName,
				executionStartedAt: details.executionStartedAt,
				subject: settings.subject,
				redactFields: settings.redactFields,
				secrets,
				settle: false,
			});
			if (result.status === 'dead-lettered') {
				logger.info(`Message ${delivery.streamSequence} moved to the dead-letter stream "${result.dlqStream}" as message ${result.dlqSequence} (${reasonForKind(details.kind)})`);
				return { status: 'stored' };
			}
			logger.debug(`Could not dead-letter message ${delivery.streamSequence}: ${result.error.message}`);
			return { status: 'failed', error: result.error };
		},
	};
}
