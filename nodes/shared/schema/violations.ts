import type { ErrorObject } from 'ajv';

/** One way a value breaks its schema, in words for someone who never read JSON Schema. */
export interface Violation {
	/** JSON pointer of the offending value ("" = the whole document). */
	path: string;
	/** The JSON Schema keyword that failed: type, required, enum… */
	rule: string;
	message: string;
}

function show(value: unknown): string {
	const text = JSON.stringify(value);
	return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function kind(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (Number.isInteger(value)) return 'an integer';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

const where = (path: string) => (path ? `\`${path.slice(1).replace(/\//g, '.')}\`` : 'the message');

function describe(error: ErrorObject, data: unknown): string {
	const p = error.params as Record<string, unknown>;
	const target = where(error.instancePath);
	switch (error.keyword) {
		case 'required':
			return `field \`${[error.instancePath.slice(1).replace(/\//g, '.'), p.missingProperty].filter(Boolean).join('.')}\` is missing`;
		case 'additionalProperties':
			return `field \`${[error.instancePath.slice(1).replace(/\//g, '.'), p.additionalProperty].filter(Boolean).join('.')}\` is not allowed`;
		case 'type':
			return `${target} must be ${String(p.type).replace(/,/g, ' or ')}, but is ${kind(data)} (${show(data)})`;
		case 'enum':
			return `${target} must be one of ${(p.allowedValues as unknown[]).map(show).join(', ')}, but is ${show(data)}`;
		case 'const':
			return `${target} must be ${show(p.allowedValue)}, but is ${show(data)}`;
		case 'format':
			return `${target} must be a valid ${String(p.format)}, but is ${show(data)}`;
		default:
			return `${target} ${error.message ?? 'is invalid'}${data === undefined || typeof data === 'object' ? '' : ` (is ${show(data)})`}`;
	}
}

function valueAt(root: unknown, pointer: string): unknown {
	if (!pointer) return root;
	return pointer
		.slice(1)
		.split('/')
		.map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
		.reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), root);
}

export function toViolations(errors: ErrorObject[] | null | undefined, data: unknown): Violation[] {
	return (errors ?? []).map((e) => ({ path: e.instancePath || '/', rule: e.keyword, message: describe(e, valueAt(data, e.instancePath)) }));
}

/** All violations in one line, at most `max` of them spelled out. */
export function formatViolations(violations: Violation[], max = 5): string {
	const shown = violations.slice(0, max).map((v) => v.message);
	const more = violations.length > max ? `; and ${violations.length - max} more` : '';
	return `${shown.join('; ')}${more}`;
}
