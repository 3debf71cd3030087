import { NodeOperationError } from 'n8n-workflow';

import { forFeature } from '../../shared/errorMapping';
import { PermissionError } from '../../shared/errors';
import { reasonForKind } from '../../shared/deadLetter/sink';
import { Outage } from '../../shared/n8n/outage';
import { isLastDelivery } from './answers';
import { FEATURE } from './featureNames';
import type { DeadLetterDetails } from './hooks';
import type { HeldMessage } from './lifecycle';
import type { StepDeps } from './steps';

export const DEAD_LETTER_HINTS: Record<DeadLetterDetails['kind'], string> = {
	poison: 'Fix the publisher, or change the trigger\'s "Content" option to Text or Auto to accept such messages',
	decrypt: 'Add the key with the named id to "Encryption Keys" of the NATS credential (the copy stays encrypted), then redrive it',
	invalid: 'Fix the publisher or the schema; the message is kept in the dead-letter stream for redrive',
	rejected: 'The workflow marked this message as a permanent failure; it is kept in the dead-letter stream for review',
	exhausted: 'Every allowed delivery failed; look at the failed executions, then redrive it from the dead-letter stream',
};

/**
 * Giving a message up: its dead-letter copy first, then `term`. A copy that cannot be stored keeps
 * the message (parked, kept alive, not nak'd) and is tried again, so a dead-letter stream that is
 * down never costs a message its deliveries, nor the message itself; the outage is said once, where
 * a user looks. A refused right stops the trigger: retrying cannot help.
 */
export class DeadLettering {
	private readonly outage: Outage;

	constructor(private readonly deps: StepDeps) {
		this.outage = new Outage('The dead-letter stream', deps.reporting, deps.settings.retry, 'Check that the dead-letter stream exists and accepts messages (its limits, its replicas); the trigger keeps the messages until it does');
	}

	/** Dead-letters a running message and terms it once its copy is stored. */
	async giveUp(message: HeldMessage, details: DeadLetterDetails): Promise<void> {
		const { ctx, logger, loop } = this.deps;
		if (!loop.lifecycle.isHeld(message)) return;
		const result = await this.deps.deadLetter.send(message.delivery, details);
		if (result.status === 'failed') {
			const refused = forFeature(result.error, FEATURE.deadLetter);
			if (refused instanceof PermissionError) {
				this.refused(message, refused);
				return;
			}
			this.outage.failed(result.error);
			loop.lifecycle.park(message, 'deadLetter', this.outage.retryInMs(), details);
			return;
		}
		this.outage.ok();
		loop.lifecycle.answer(message, 'term');
		if (result.status === 'stored') this.deps.stats.deadLettered(reasonForKind(details.kind));
		else this.deps.stats.discarded();
		// A message no execution ran for is recorded as a failed execution, so the user sees it in n8n.
		// The log line carries no error text of a workflow nor payload values: those stay in the copy.
		if (details.kind === 'poison' || details.kind === 'invalid') {
			logger.warn(`${details.kind === 'poison' ? details.error.message : `Message ${message.sequence} does not match its schema`}; it will not be delivered again`);
			ctx.saveFailedExecution?.(new NodeOperationError(ctx.getNode(), details.error.message, { description: DEAD_LETTER_HINTS[details.kind] }));
		}
	}

	/**
	 * The dead-letter subject is refused: the trigger stops with the error and the message goes back to
	 * the server at once (it stays in the stream either way). On its last delivery it is left
	 * unanswered rather than nak'd: the server then keeps it until its ack wait.
	 */
	private refused(message: HeldMessage, refused: PermissionError): void {
		const { loop, logger, facts } = this.deps;
		loop.fail(refused);
		if (!isLastDelivery(message.deliveries, facts.maxDeliver)) {
			loop.lifecycle.answer(message, { nak: undefined });
			return;
		}
		logger.error(`Message ${message.sequence} was on its last delivery and could not be dead-lettered (${refused.message}); it stays in stream "${facts.stream}" — read it with the JetStream node's Message → Get`);
		loop.lifecycle.release(message);
	}
}
