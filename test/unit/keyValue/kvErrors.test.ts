import {
	actualRevision,
	bucketMissing,
	isNoResponders,
	isRevisionConflict,
	kvError,
	revisionConflict,
} from '../../../nodes/JetStream/actions/keyValue/kvErrors';
import { JetStreamNodeError } from '../../../nodes/shared/errors';
import { isStreamNotFound } from '../../../nodes/shared/errorMapping';

/** Shaped like NATS.js errors (recognised by name and code, never by class). */
function apiError(code: number, message: string): Error {
	return Object.assign(new Error(message), { name: 'JetStreamApiError', code });
}

describe('Key-Value errors', () => {
	it('recognises a refused revision condition and reads the key\'s actual revision from it', () => {
		const conflict = apiError(10071, 'wrong last sequence: 7');
		expect(isRevisionConflict(conflict)).toBe(true);
		expect(isRevisionConflict(new Error('boom', { cause: conflict }))).toBe(true);
		expect(actualRevision(conflict)).toBe(7);
		expect(actualRevision(apiError(10071, 'wrong last sequence: 0'))).toBe(0);
		expect(actualRevision(new Error('other'))).toBeUndefined();
		expect(isRevisionConflict(apiError(10059, 'stream not found'))).toBe(false);
	});

	it('says "KV revision conflict" with the expected and the actual revision', () => {
		expect(revisionConflict('b', 'k', 3, 5).message).toBe('KV revision conflict: key "k" in bucket "b" is at revision 5, expected revision 3');
		expect(revisionConflict('b', 'k', 3, 0).message).toBe('KV revision conflict: key "k" in bucket "b" does not exist, expected revision 3');
		expect(revisionConflict('b', 'k', 3, undefined).message).toMatch(/is at another revision, expected revision 3/);
		expect(revisionConflict('b', 'k', 3, 5).category).toBe('conflict');
	});

	it('turns a missing stream into a missing bucket with what to do', () => {
		const notFound = Object.assign(apiError(10059, 'stream not found'), { name: 'StreamNotFoundError' });
		expect(isStreamNotFound(notFound)).toBe(true);
		const mapped = kvError(notFound, 'orders');
		expect(mapped.message).toBe('Key-Value bucket "orders" does not exist; create it with the Create Bucket operation');
		expect(mapped.category).toBe('not-found');
		expect(bucketMissing('x').hint).toMatch(/create it with a JetStream node set to Key-Value → Create Bucket, run on its own/);
	});

	it('recognises the "no responders" of a write to a bucket without a stream', () => {
		const noResponders = Object.assign(new Error('jetstream is not enabled'), {
			name: 'JetStreamNotEnabled',
			cause: Object.assign(new Error("no responders: '$KV.x.a'"), { name: 'RequestError' }),
		});
		expect(isNoResponders(noResponders)).toBe(true);
		expect(isNoResponders(new Error('timeout'))).toBe(false);
	});

	it('explains per-key TTL errors of newer servers and a bucket that exists with other settings', () => {
		expect(kvError(apiError(10166, 'per-message TTL is disabled'), 'sessions').message).toBe('Per-key TTL is not turned on for Key-Value bucket "sessions"');
		expect(kvError(apiError(10165, 'invalid per-message TTL'), 'sessions', 'k').message).toBe('The server refused the key TTL for key "k"');
		expect(kvError(apiError(10058, 'stream name already in use'), 'orders').message).toBe('Key-Value bucket "orders" already exists with other settings');
	});

	it('keeps our own errors and maps the rest through the shared mapping', () => {
		const own = new JetStreamNodeError('conflict', 'mine');
		expect(kvError(own, 'b')).toBe(own);
		expect(kvError(new Error('something odd'), 'b').message).toBe('something odd');
	});
});
