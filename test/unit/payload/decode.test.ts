import { decodePayload } from '../../../nodes/shared/payload/decode';

/** Decoding message bytes; a message that cannot be read says why without quoting it. */

const message = (text: string) => ({ subject: 'orders.created', data: new TextEncoder().encode(text), headers: {}, streamSequence: 7 });

describe('decodePayload', () => {
	it('refuses a message that is not JSON with its size and where parsing stopped, never its bytes', () => {
		const secret = '{"card": "4111-1111-1111-1111", oops}';
		const result = decodePayload(message(secret), 'json');
		expect(result.kind).toBe('poison');
		const text = result.kind === 'poison' ? result.error.message : '';
		expect(text).toMatch(/^Message 7 on subject "orders\.created" is not valid JSON \(37 bytes/);
		expect(text).not.toContain('4111');
		expect(text).not.toContain('card');
		expect(text).not.toContain('oops');
	});

	it('says so when the bytes are not text at all', () => {
		const result = decodePayload({ ...message(''), data: Uint8Array.of(0xff, 0xfe, 0x00) }, 'json');
		expect(result.kind === 'poison' && result.error.message).toMatch(/is not UTF-8 text, so it cannot be JSON \(3 bytes/);
	});

	it('reads JSON, text and binary as configured', () => {
		expect(decodePayload(message('{"a":1}'), 'json')).toEqual({ kind: 'json', value: { a: 1 } });
		expect(decodePayload(message('hello'), 'auto')).toEqual({ kind: 'text', value: 'hello' });
		expect(decodePayload(message('{"a":1}'), 'text')).toEqual({ kind: 'text', value: '{"a":1}' });
		expect(decodePayload(message('x'), 'binary')).toMatchObject({ kind: 'binary', mimeType: 'application/octet-stream' });
	});
});
