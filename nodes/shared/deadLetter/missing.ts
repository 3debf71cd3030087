import { withJetStreamNode } from '../advice';
import { JetStreamNodeError } from '../errors';
import { isStreamNotFound } from '../errorMapping';

/** The dead-letter stream does not exist: says so, and where to create it. */
export class DeadLetterStreamMissingError extends JetStreamNodeError {
	constructor(
		readonly stream: string,
		cause?: unknown,
	) {
		super('not-found', `The dead-letter stream "${stream}" does not exist`, {
			hint: `Check its name, or create it with ${withJetStreamNode('Dead Letter → Create Stream')}. (The JetStream Trigger creates it too when "Create Dead-Letter Stream" is on.)`,
			cause,
		});
		this.name = 'DeadLetterStreamMissingError';
	}
}

/**
 * Runs a read or change of the dead-letter stream `name`. When that stream is missing, the error
 * says so in dead-letter words instead of the generic "Stream … does not exist" and its hint.
 */
export async function onDeadLetterStream<T>(name: string, step: () => Promise<T>): Promise<T> {
	try {
		return await step();
	} catch (error) {
		if (error instanceof DeadLetterStreamMissingError || !isStreamNotFound(error)) throw error;
		throw new DeadLetterStreamMissingError(name, error);
	}
}
