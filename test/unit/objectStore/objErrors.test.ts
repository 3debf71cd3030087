import { objError } from '../../../nodes/JetStream/actions/objectStore/objErrors';
import { PermissionError } from '../../../nodes/shared/errors';

/** nats.js object-store errors (recognised by name, code and text) in bucket and object terms. */

const apiError = (code: number, message: string) => Object.assign(new Error(message), { name: 'JetStreamApiError', code });

describe('Object Store errors', () => {
	it('a missing bucket, however nats.js says it', () => {
		for (const error of [apiError(10059, 'stream not found'), new Error('object store not found'), Object.assign(new Error('no responders'), { name: 'NoRespondersError' })]) {
			expect(objError(error, 'files', 'a.pdf').message).toBe('Object store bucket "files" does not exist');
		}
	});

	it('a digest mismatch: corrupt or incomplete, with what to do', () => {
		const error = objError(new Error('received a corrupt object, digests do not match: expected …'), 'files', 'a.pdf');
		expect(error.message).toMatch(/^Object "a.pdf" in object store bucket "files" is corrupt or incomplete/);
		expect(error.hint).toMatch(/put the file again from its source/);
	});

	it('link refusals and unknown errors name bucket and object; a refused right stays a PermissionError', () => {
		expect(objError(new Error('an object already exists with that name'), 'files', 'l').message).toBe('Object "l" already exists in object store bucket "files"; a link gets a name no object has');
		expect(objError(new Error('link is a bucket'), 'files', 'all').message).toMatch(/links a whole bucket, not a file/);
		expect(objError(new Error('boom'), 'files', 'a.pdf').message).toBe('boom (object "a.pdf" in object store bucket "files")');
		const refused = objError(Object.assign(new Error('Permissions Violation for Publish to "$O.files.M.YQ=="'), { name: 'PermissionViolationError' }), 'files', 'a');
		expect(refused).toBeInstanceOf(PermissionError);
	});
});
