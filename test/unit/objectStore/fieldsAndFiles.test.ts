import type { IExecuteFunctions } from 'n8n-workflow';

import { fileNameOf, mimeTypeFor, progressLog } from '../../../nodes/JetStream/actions/objectStore/binaryIo';
import { validateObjectBucketName, validateObjectName } from '../../../nodes/JetStream/actions/objectStore/fields';
import { recordingLogger, type LogLine } from '../../helpers/fakeExecute';

/** Names checked before anything is sent; file names, types and progress for n8n. */

describe('Object Store names', () => {
	it('bucket names: letters, digits, - and _; the field is named', () => {
		expect(validateObjectBucketName(' invoices-2026 ')).toBe('invoices-2026');
		expect(() => validateObjectBucketName('')).toThrow('"Bucket" is empty');
		expect(() => validateObjectBucketName('a.b', 'Target Bucket')).toThrow('"a.b" is not a valid object store bucket name (field "Target Bucket")');
	});

	it('object names: any text but empty or very long; kept as written (spaces too)', () => {
		expect(validateObjectName('reports/March 2026.pdf')).toBe('reports/March 2026.pdf');
		expect(() => validateObjectName('  ')).toThrow('"Object Name" is empty');
		expect(() => validateObjectName('x'.repeat(1025), 'Link Name')).toThrow('The object name in "Link Name" is 1025 characters long');
	});
});

describe('Object Store files in n8n', () => {
	it('a file name is the last part of the object name; the type is the stored one, else left to n8n, else bytes', () => {
		expect(fileNameOf('invoices/2026/a.pdf')).toBe('a.pdf');
		expect(fileNameOf('a.pdf')).toBe('a.pdf');
		expect(mimeTypeFor('a.pdf', { 'content-type': 'application/x-thing' })).toBe('application/x-thing');
		expect(mimeTypeFor('a.pdf', {})).toBeUndefined();
		expect(mimeTypeFor('dump', {})).toBe('application/octet-stream');
	});

	it('logs progress once per 10 MB step, with the total', () => {
		const logs: LogLine[] = [];
		const fn = { logger: recordingLogger(logs), getNode: () => ({ name: 'JetStream' }) } as unknown as IExecuteFunctions;
		const count = progressLog(fn, 'Stored', '"a" in bucket "b"', 25 * 1024 * 1024);
		for (let i = 0; i < 200; i++) count(128 * 1024);
		expect(logs.map((l) => l.message)).toEqual(['Stored "a" in bucket "b": 10 MB of 25 MB', 'Stored "a" in bucket "b": 20 MB of 25 MB']);
	});
});
