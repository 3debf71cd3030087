import { onDeadLetterStream } from '../../../nodes/shared/deadLetter/missing';
import { JetStreamNodeError } from '../../../nodes/shared/errors';
import { toNodeError } from '../../../nodes/shared/errorMapping';

/** A dead-letter stream that does not exist is named as one, with the operation that creates it. */

function streamNotFound(): Error {
	return Object.assign(new Error('stream not found'), { name: 'StreamNotFoundError', code: 10059 });
}

describe('onDeadLetterStream', () => {
	it('turns "stream not found" into the dead-letter stream missing, pointing to Dead Letter → Create Stream', async () => {
		// As the transport throws it: already mapped to the generic message, the server's error as cause.
		const mapped = toNodeError(streamNotFound(), { stream: 'DLQ' });
		expect(mapped.hint).not.toMatch(/Dead Letter/);

		const error = await onDeadLetterStream('DLQ', () => Promise.reject(mapped)).catch((e: JetStreamNodeError) => e);

		expect(error).toBeInstanceOf(JetStreamNodeError);
		expect(error.message).toBe('The dead-letter stream "DLQ" does not exist');
		expect(error.hint).toMatch(/^Check its name, or create it with a JetStream node set to Dead Letter → Create Stream, run on its own/);
		expect(error.category).toBe('not-found');
	});

	it('says it once when calls nest', async () => {
		const error = await onDeadLetterStream('DLQ', () => onDeadLetterStream('DLQ', () => Promise.reject(streamNotFound()))).catch((e: Error) => e);
		expect(error.message).toBe('The dead-letter stream "DLQ" does not exist');
		expect((error.cause as Error).name).toBe('StreamNotFoundError');
	});

	it('leaves every other error as it was', async () => {
		const other = new JetStreamNodeError('not-found', 'Dead-letter stream "DLQ" has no message with sequence 4');
		await expect(onDeadLetterStream('DLQ', () => Promise.reject(other))).rejects.toBe(other);
		await expect(onDeadLetterStream('DLQ', () => Promise.resolve(7))).resolves.toBe(7);
	});
});
