import { validateKvBucketName, validateKvKey, validateKvKeyFilter } from '../../../nodes/shared/keyValue/keyRules';
import { InvalidParameterError } from '../../../nodes/shared/errors';

describe('Key-Value key rules', () => {
	it('accepts keys made of letters, digits and - / _ = . and trims spaces around them', () => {
		for (const key of ['orders.1234', 'config/db_url', 'a=b', 'A-Z_09', 'x', ' orders.1 ']) {
			expect(validateKvKey(key)).toBe(key.trim());
		}
	});

	it('refuses a key with a leading or trailing dot, or an empty part', () => {
		expect(() => validateKvKey('.orders')).toThrow('Key ".orders" starts or ends with a dot');
		expect(() => validateKvKey('orders.')).toThrow('Key "orders." starts or ends with a dot');
		expect(() => validateKvKey('a..b')).toThrow('Key "a..b" contains ".." (an empty part between dots)');
	});

	it('names the character a key cannot hold, including wildcards and spaces inside', () => {
		expect(() => validateKvKey('order 1')).toThrow('Key "order 1" contains "a space", which keys cannot hold');
		expect(() => validateKvKey('orders.*')).toThrow('contains "*"');
		expect(() => validateKvKey('orders.>')).toThrow('contains ">"');
		expect(() => validateKvKey('ü')).toThrow('contains "ü"');
		expect(() => validateKvKey('a:b')).toThrow('contains ":"');
	});

	it('refuses an empty key, as an InvalidParameterError naming the field', () => {
		const error = (() => {
			try {
				validateKvKey('', 'Key');
			} catch (e) {
				return e;
			}
			return undefined;
		})();
		expect(error).toBeInstanceOf(InvalidParameterError);
		expect(error).toMatchObject({ field: 'Key', message: '"Key" is empty', category: 'invalid-input' });
		expect(() => validateKvKey(undefined)).toThrow('"Key" is empty');
	});

	it('accepts filters with whole-part wildcards, > only at the end; empty means all keys', () => {
		expect(validateKvKeyFilter('orders.*')).toBe('orders.*');
		expect(validateKvKeyFilter('orders.>')).toBe('orders.>');
		expect(validateKvKeyFilter('*.lines')).toBe('*.lines');
		expect(validateKvKeyFilter('>')).toBe('>');
		expect(validateKvKeyFilter('  ')).toBe('>');
		expect(validateKvKeyFilter('orders.1')).toBe('orders.1');
	});

	it('refuses filters that mix wildcards with text, put > before the end, or have empty parts', () => {
		expect(() => validateKvKeyFilter('orders.a*')).toThrow('Filter "orders.a*" mixes a wildcard with text in "a*"');
		expect(() => validateKvKeyFilter('orders.>.x')).toThrow('Filter "orders.>.x" has ">" before the end');
		expect(() => validateKvKeyFilter('orders..*')).toThrow('contains ".."');
		expect(() => validateKvKeyFilter('.orders')).toThrow('starts or ends with a dot');
		expect(() => validateKvKeyFilter('orders 1')).toThrow('contains characters keys cannot hold');
	});

	it('accepts bucket names of letters, digits, - and _ only', () => {
		expect(validateKvBucketName(' orders_state-1 ')).toBe('orders_state-1');
		expect(() => validateKvBucketName('orders.state')).toThrow('"orders.state" is not a valid bucket name (field "Bucket")');
		expect(() => validateKvBucketName('a b')).toThrow('is not a valid bucket name');
		expect(() => validateKvBucketName('')).toThrow('"Bucket" is empty');
		expect(() => validateKvBucketName('x'.repeat(253))).toThrow('is not a valid bucket name');
	});
});
