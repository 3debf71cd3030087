import { InvalidParameterError, JetStreamNodeError } from '../../../shared/errors';
import { requireServerVersion } from '../../../shared/serverVersion';
import { ATOMIC_MAX_MESSAGES, publishAtomic, type NatsClient, type OutgoingMessage, type PublishOutcome } from '../../../shared/transport';
import { itemNumber } from '../perItem';

/**
 * Publish → "All Items or None": every item of the execution is prepared first (so an item that
 * fails its schema, size or key check stops the run before anything is sent), then all go out as
 * one atomic batch. Outcomes are all successes or all failures, in the shape the windowed publish
 * gives, so the operation reports them the same way.
 */

export const ATOMIC_SINCE = '2.12.0';

function checkFits(message: OutgoingMessage, i: number): void {
	if (message.schedule) {
		throw new InvalidParameterError('schedule', `Item ${itemNumber(i)} has a Schedule: a scheduled message cannot be part of an atomic batch`, 'Turn off "All Items or None", or set Schedule to "Now"');
	}
	if (i > 0 && message.expect) {
		throw new InvalidParameterError('publishOptions', `Item ${itemNumber(i)} has an expectation (Expected Stream / Last Sequence / Last Subject Sequence / Last Message ID): in an atomic batch only the first item's are checked`, 'Set the expectations on the first item only (e.g. with an expression on $itemIndex === 0), or turn off "All Items or None"');
	}
}

function failAll(count: number, failed: number, error: Error): PublishOutcome[] {
	const because = new JetStreamNodeError('invalid-input', `Nothing was published: item ${itemNumber(failed)} failed (${error.message}) and "All Items or None" is on`, {
		hint: 'Fix that item, or turn off "All Items or None" to publish the others anyway',
	});
	return Array.from({ length: count }, (_v, i) => ({ ok: false, error: i === failed ? error : because }));
}

export async function publishAllOrNone(
	client: NatsClient,
	count: number,
	prepare: (index: number) => OutgoingMessage | Promise<OutgoingMessage>,
	timeoutMs: number,
): Promise<PublishOutcome[]> {
	requireServerVersion(client.serverVersion(), ATOMIC_SINCE, 'All Items or None');
	if (count > ATOMIC_MAX_MESSAGES) {
		throw new InvalidParameterError(
			'allOrNone',
			`"All Items or None" publishes at most ${ATOMIC_MAX_MESSAGES} items as one atomic batch (the server's limit); this execution has ${count}`,
			'Split the items (e.g. Loop Over Items with a batch size of 1000), or turn off "All Items or None"',
		);
	}
	const messages: OutgoingMessage[] = [];
	for (let i = 0; i < count; i++) {
		try {
			const ready = prepare(i);
			messages.push(ready instanceof Promise ? await ready : ready);
			checkFits(messages[i], i);
		} catch (error) {
			return failAll(count, i, error as Error);
		}
	}
	return publishAtomic(client, messages, timeoutMs);
}
