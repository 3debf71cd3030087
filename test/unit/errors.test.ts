import { JetStreamNodeError } from '../../nodes/shared/errors';
import { describeError, sentences, toNodeError } from '../../nodes/shared/errorMapping';

/** NATS.js errors as the client throws them (same name, code and cause shape), and what users read. */
function natsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
	const error = new Error(message);
	error.name = name;
	return Object.assign(error, extra);
}

describe('toNodeError', () => {
	it('says no stream captures the subject instead of "no responders" on publish', () => {
		const cause = natsError('RequestError', "no responders: 'orders.created'", {
			cause: natsError('NoRespondersError', "no responders: 'orders.created'"),
		});
		const error = toNodeError(natsError('JetStreamNotEnabled', 'jetstream is not enabled', { cause }), { subject: 'orders.created' });
		expect(error.message).toBe('No stream captures subject "orders.created"');
		expect(error.hint).toMatch(/Create a stream/);
		expect(error.category).toBe('not-found');
	});

	it.each([
		[natsError('StreamNotFoundError', 'stream not found', { code: 10059 }), { stream: 'ORDERS' }, 'Stream "ORDERS" does not exist'],
		[natsError('ConsumerNotFoundError', 'consumer not found', { code: 10014 }), { stream: 'ORDERS', consumer: 'c1' }, 'Consumer "c1" does not exist on stream "ORDERS"'],
		[natsError('JetStreamApiError', 'wrong last sequence: 1', { code: 10071 }), {}, 'The stream changed since you read it: wrong last sequence: 1'],
		[natsError('AuthorizationError', 'Authorization Violation'), {}, 'The server refused the login (authorization violation)'],
		[natsError('ConnectionError', 'connection refused', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }), { servers: 'nats://h:1' }, 'Nothing is listening at nats://h:1 (connection refused)'],
		[Object.assign(new Error('getaddrinfo ENOTFOUND h'), { code: 'ENOTFOUND' }), { servers: 'nats://h:1' }, 'The host name in nats://h:1 does not resolve (ENOTFOUND)'],
		[natsError('TimeoutError', 'timeout'), { subject: 'svc.echo', timeoutMs: 500 }, 'No answer on "svc.echo" after 0.5 s (timeout)'],
		[natsError('RequestError', 'no responders', { cause: natsError('NoRespondersError', 'no responders') }), { subject: 'svc.echo' }, 'Nobody is listening on subject "svc.echo" (no responders)'],
		[natsError('InvalidSubjectError', "illegal subject: 'a b'"), { subject: 'a b' }, '"a b" is not a valid subject'],
		[natsError('PermissionViolationError', "Permissions Violation for Publish to \"secret.x\""), {}, 'Permission denied: not allowed to publish to "secret.x" — this credential\'s NATS user may not publish to "secret.x"'],
		[Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), { servers: 'tls://h:1' }, 'TLS verification of tls://h:1 failed (DEPTH_ZERO_SELF_SIGNED_CERT)'],
		[natsError('JetStreamApiError', 'replicas > 1 not supported in non-clustered mode', { code: 10074 }), { stream: 'ORDERS' }, 'This server is not a cluster: a stream or bucket with more than 1 replica cannot be created'],
		[natsError('JetStreamApiError', 'maximum number of streams reached', { code: 10027 }), { stream: 'ORDERS' }, 'JetStream has no room for stream "ORDERS": maximum number of streams reached'],
	])('maps %s', (raw, context, message) => {
		expect(toNodeError(raw, context).message).toBe(message);
	});

	it('keeps the original error as cause and unknown messages as they are', () => {
		const raw = new Error('something odd');
		const error = toNodeError(raw);
		expect(error).toBeInstanceOf(JetStreamNodeError);
		expect(error.message).toBe('something odd');
		expect(error.cause).toBe(raw);
	});

	it('passes our own errors through and joins message and hint for display', () => {
		const ours = new JetStreamNodeError('configuration', 'X is wrong', { hint: 'Change X' });
		expect(toNodeError(ours)).toBe(ours);
		expect(describeError(ours)).toBe('X is wrong. Change X');
		expect(describeError(new JetStreamNodeError('server', 'X is wrong.', { hint: 'Change X.' }))).toBe('X is wrong. Change X.');
		expect(describeError(new JetStreamNodeError('server', 'X is wrong'))).toBe('X is wrong');
	});

	it('joins sentences with one period, however each one ends', () => {
		expect(sentences('A.', 'B')).toBe('A. B');
		expect(sentences('A. ', undefined, '', 'B.')).toBe('A. B.');
		expect(sentences('A...', 'B', 'C')).toBe('A. B. C');
		expect(sentences(undefined)).toBe('');
	});
});
