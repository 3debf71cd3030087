import { maskSecrets, MAX_ERROR_LENGTH, redactPayload, safeErrorText } from '../../../nodes/shared/deadLetter';

const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

describe('payload redaction', () => {
	it('removes top-level, nested and per-array-element fields, and lists what it removed', () => {
		const input = encode(JSON.stringify({ password: 'x', user: { ssn: '1', name: 'n' }, items: [{ card: 1, q: 2 }, { card: 3 }] }));
		const out = redactPayload(input, ['password', 'user.ssn', 'items.card', 'missing.field']);
		expect(JSON.parse(decode(out.data))).toEqual({ user: { name: 'n' }, items: [{ q: 2 }, {}] });
		expect(out.removed).toEqual(['password', 'user.ssn', 'items.card']);
	});

	it('keeps the exact bytes when nothing is removed or the payload is not JSON', () => {
		const spaced = encode('{ "a" : 1 }');
		expect(redactPayload(spaced, ['b']).data).toBe(spaced);
		const binary = new Uint8Array([0xff, 0xfe, 0x00]);
		expect(redactPayload(binary, ['a']).data).toBe(binary);
		const text = encode('password=1');
		expect(redactPayload(text, ['password'])).toEqual({ data: text, removed: [] });
		expect(redactPayload(encode('"just a string"'), ['a']).removed).toEqual([]);
	});
});

describe('error text', () => {
	it('masks secret-looking parts', () => {
		const masked = maskSecrets('login failed password=hunter2 token: "abc def" Bearer eyJabc.def-ghi nats://u:p@host:4222');
		expect(masked).not.toMatch(/hunter2|abc def|eyJabc|u:p@/);
		expect(masked).toContain('password=***');
		expect(masked).toContain('nats://***@host:4222');
	});

	it('replaces known secret values, flattens to one line and bounds the length', () => {
		const text = safeErrorText(new Error(`first line\nsecond ${'y'.repeat(2000)} MySecretValue`), ['MySecretValue']);
		expect(text).not.toMatch(/[\r\n]/);
		expect(text.startsWith('first line second')).toBe(true);
		expect(text.length).toBeLessThanOrEqual(MAX_ERROR_LENGTH);
		expect(safeErrorText('token abc MySecretValue', ['MySecretValue'])).toBe('token abc ***');
	});

	it('uses a custom redaction hook instead of the default masking', () => {
		expect(safeErrorText('order 123 failed', [], (t) => t.replace(/\d+/g, '#'))).toBe('order # failed');
	});
});
