import { parseSequences, readDate } from '../../../nodes/JetStream/actions/deadLetter/fields';

describe('dead-letter node fields', () => {
	it('reads sequences and ranges, without duplicates', () => {
		expect(parseSequences('3, 7,10-12, 7')).toEqual([3, 7, 10, 11, 12]);
	});

	it('names the part of a sequence list that is wrong', () => {
		expect(() => parseSequences('1, x')).toThrow('"x" in "Sequences" is not a sequence number or range');
		expect(() => parseSequences('5-2')).toThrow('"5-2" in "Sequences"');
		expect(() => parseSequences('0')).toThrow('"0" in "Sequences"');
		expect(() => parseSequences(' , ')).toThrow('"Sequences" is empty');
		expect(() => parseSequences('1-20000')).toThrow('selects more than 10000 messages');
	});

	it('reads dates and refuses text that is not one', () => {
		expect(readDate('', 'From')).toBeUndefined();
		expect(readDate('2024-05-01T12:00:00Z', 'From')?.toISOString()).toBe('2024-05-01T12:00:00.000Z');
		expect(() => readDate('yesterday-ish', 'From')).toThrow('"yesterday-ish" in "From" is not a date and time');
	});
});
