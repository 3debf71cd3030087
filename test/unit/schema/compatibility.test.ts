import { checkCompatibility, compiledCount, formatViolations, validatorFor } from '../../../nodes/shared/schema';

/** Compatibility rules for each mode and construct, in both directions, and validator wording. */

const obj = (properties: Record<string, unknown>, required: string[] = [], extra: Record<string, unknown> = {}) => ({ type: 'object', properties, required, ...extra });
const str = { type: 'string' };
const int = { type: 'integer' };

describe('compatibility', () => {
	it('backward: a field becoming required breaks it, an optional new field does not', () => {
		const v1 = obj({ id: str });
		expect(checkCompatibility(v1, obj({ id: str, total: int }), 'backward')).toMatchObject({ compatible: true });
		expect(checkCompatibility(v1, obj({ id: str, total: int }, ['total']), 'backward').reasons).toEqual(['backward: field `total` became required']);
	});

	it('forward: removing a required field breaks it (old readers need it), adding a required one does not', () => {
		const v1 = obj({ id: str, total: int }, ['id', 'total']);
		expect(checkCompatibility(v1, obj({ id: str }, ['id']), 'forward').reasons).toEqual(['forward: field `total` became required']);
		expect(checkCompatibility(obj({ id: str }, ['id']), v1, 'forward').compatible).toBe(true);
	});

	it('full combines both directions', () => {
		const result = checkCompatibility(obj({ id: str }), obj({ id: str, total: int }, ['total']), 'full');
		expect(result.reasons).toEqual(['backward: field `total` became required']);
		expect(checkCompatibility(obj({ id: str }), obj({ id: str, note: str }), 'full').compatible).toBe(true);
	});

	it('none accepts anything', () => {
		expect(checkCompatibility(obj({ id: str }), obj({ id: int }, ['id', 'x']), 'none').compatible).toBe(true);
	});

	it('a changed type is named with both types; widening to number is fine backward', () => {
		expect(checkCompatibility(obj({ id: str }), obj({ id: int }), 'backward').reasons).toEqual(['backward: type of `id` changed from string to integer']);
		expect(checkCompatibility(obj({ n: int }), obj({ n: { type: 'number' } }), 'backward').compatible).toBe(true);
		expect(checkCompatibility(obj({ n: int }), obj({ n: { type: 'number' } }), 'forward').compatible).toBe(false);
	});

	it('enum: removing a value breaks backward, adding one breaks forward', () => {
		const v1 = obj({ status: { enum: ['new', 'paid'] } });
		const narrowed = obj({ status: { enum: ['new'] } });
		const widened = obj({ status: { enum: ['new', 'paid', 'void'] } });
		expect(checkCompatibility(v1, narrowed, 'backward').reasons).toEqual(['backward: `status` no longer allows "paid"']);
		expect(checkCompatibility(v1, widened, 'backward').compatible).toBe(true);
		expect(checkCompatibility(v1, widened, 'forward').reasons).toEqual(['forward: `status` no longer allows "void"']);
	});

	it('additionalProperties: closing an open object breaks backward', () => {
		const open = obj({ id: str });
		const closed = obj({ id: str }, [], { additionalProperties: false });
		expect(checkCompatibility(open, closed, 'backward').reasons).toEqual(['backward: `(root)` no longer allows fields beyond those listed']);
		expect(checkCompatibility(obj({ id: str, x: str }, [], { additionalProperties: false }), closed, 'backward').reasons).toEqual([
			'backward: field `x` was removed and other fields are not allowed',
		]);
		expect(checkCompatibility(closed, open, 'backward').compatible).toBe(true);
	});

	it('nested objects and array items are compared too', () => {
		const v1 = obj({ customer: obj({ email: str }), lines: { type: 'array', items: obj({ sku: str }) } });
		const v2 = obj({ customer: obj({ email: str }, ['email']), lines: { type: 'array', items: obj({ sku: int }) } });
		expect(checkCompatibility(v1, v2, 'backward').reasons).toEqual([
			'backward: field `customer.email` became required',
			'backward: type of `lines[].sku` changed from string to integer',
		]);
	});

	it('says which constructs it does not compare', () => {
		const v2 = obj({ id: str, pay: { oneOf: [str, int] }, ref: { $ref: '#/$defs/x' } });
		expect(checkCompatibility(obj({ id: str }), v2, 'backward').notCompared.sort()).toEqual(['$ref at `ref`', 'oneOf at `pay`']);
	});
});

describe('validation', () => {
	it('words every violation for a newcomer', () => {
		const validate = validatorFor(obj({ id: str, total: { type: 'number' }, status: { enum: ['new', 'paid'] }, email: { type: 'string', format: 'email' } }, ['id'], { additionalProperties: false }));
		const violations = validate({ total: '12', status: 'lost', email: 'nope', extra: 1 });
		expect(violations.map((v) => v.message).sort()).toEqual([
			'`email` must be a valid email, but is "nope"',
			'`status` must be one of "new", "paid", but is "lost"',
			'`total` must be number, but is a string ("12")',
			'field `extra` is not allowed',
			'field `id` is missing',
		]);
		expect(formatViolations(violations, 2)).toMatch(/; and 3 more$/);
	});

	it('compiles a schema once, whatever the key order', () => {
		const before = compiledCount();
		const a = validatorFor({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] });
		const b = validatorFor({ required: ['q'], properties: { q: { type: 'string' } }, type: 'object' });
		for (let i = 0; i < 1000; i++) a({ q: String(i) });
		expect(a).toBe(b);
		expect(compiledCount() - before).toBe(1);
	});

	it('honours draft-07 and refuses a broken schema clearly', () => {
		const v7 = validatorFor({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', required: ['a'] });
		expect(v7({})).toHaveLength(1);
		expect(() => validatorFor({ type: 'nonsense' })).toThrow(/The JSON Schema is not valid/);
	});
});
