import {
	validateHeaderName,
	validateInteger,
	validatePublishSubject,
	validateStreamName,
	validateSubjectFilter,
} from '../../nodes/shared/validation';

describe('validation', () => {
	it.each([
		['', /"Subject" is empty/],
		['orders created', /contains whitespace/],
		['orders..created', /empty token/],
		['.orders', /empty token/],
		['orders.*', /contains a wildcard/],
		['orders.>', /contains a wildcard/],
	])('refuses publish subject %p', (subject, message) => {
		expect(() => validatePublishSubject(subject)).toThrow(message);
	});

	it('accepts and trims a concrete subject', () => {
		expect(validatePublishSubject('  orders.eu.created ')).toBe('orders.eu.created');
	});

	it.each([['orders.*'], ['orders.>'], ['*.created'], ['a.*.c.>']])('accepts filter %p', (filter) => {
		expect(validateSubjectFilter(filter)).toBe(filter);
	});

	it.each([
		['orders.>.x', /">" before the end/],
		['orders.cre*', /mixes a wildcard/],
	])('refuses filter %p', (filter, message) => {
		expect(() => validateSubjectFilter(filter)).toThrow(message);
	});

	it.each([['ORDERS.V1'], ['my stream'], ['a*'], ['a/b']])('refuses stream name %p', (name) => {
		expect(() => validateStreamName(name)).toThrow(/is not a valid stream name/);
	});

	it('refuses header names with spaces or colons', () => {
		expect(() => validateHeaderName('X Order')).toThrow(/"X Order" is not a valid header name/);
		expect(() => validateHeaderName('X:Order')).toThrow(/not a valid header name/);
		expect(validateHeaderName('X-Order-Id')).toBe('X-Order-Id');
	});

	it('names field and value for out-of-range numbers', () => {
		expect(() => validateInteger(-1, 'Max Deliver', 1)).toThrow('"Max Deliver" must be a whole number at least 1, not -1');
		expect(() => validateInteger(1.5, 'Batch Size', 1, 1000)).toThrow('between 1 and 1000, not 1.5');
		expect(validateInteger('7', 'Batch Size', 1, 1000)).toBe(7);
	});
});
