import { keyFromHeaders, processedBucketName, storageKey } from '../../../nodes/shared/idempotency';

describe('idempotency keys', () => {
	it('reads the key from Nats-Msg-Id or another header, case-insensitively', () => {
		const headers = { 'nats-msg-id': 'order-1', 'X-Order': ['o-2', 'o-3'], Blank: '  ' };
		expect(keyFromHeaders(headers)).toBe('order-1');
		expect(keyFromHeaders(headers, 'x-order')).toBe('o-2');
		expect(keyFromHeaders(headers, 'Blank')).toBeUndefined();
		expect(keyFromHeaders(headers, 'Missing')).toBeUndefined();
	});

	it('stores plain keys readably and everything else as a SHA-256, so different keys never collide', () => {
		expect(storageKey('order-1')).toBe('k.order-1');
		expect(storageKey('order-1', 'ns')).toBe('ns.k.order-1');
		const dotted = storageKey('a.b');
		expect(dotted).toMatch(/^h\.[0-9a-f]{64}$/);
		expect(storageKey('a b')).not.toBe(storageKey('a  b'));
		expect(storageKey('x'.repeat(129))).toMatch(/^h\./);
		// A plain key that happens to look like a hash still lands in the "k." space.
		expect(storageKey(dotted.slice(2))).toBe(`k.${dotted.slice(2)}`);
	});

	it('refuses an empty key and a bad prefix, naming the field', () => {
		expect(() => storageKey('')).toThrow('The idempotency key is empty');
		expect(() => storageKey('a', 'has.dot')).toThrow('"has.dot" is not a valid key prefix');
	});

	it('names the default bucket per stream and consumer, within KV\'s name rules', () => {
		expect(processedBucketName('ORDERS', 'worker')).toBe('n8n_processed_ORDERS_worker');
		const odd = processedBucketName('OR#DERS', 'w:1');
		expect(odd).toMatch(/^[-\w]+$/);
		expect(odd).not.toBe(processedBucketName('OR_DERS', 'w_1'));
		expect(processedBucketName('S'.repeat(200), 'c').length).toBeLessThanOrEqual(64);
	});
});
