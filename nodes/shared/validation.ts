import { InvalidParameterError } from './errors';

/**
 * Checks on names and subjects before they reach the server, so the user sees which field and
 * which value is wrong instead of a protocol error.
 */

/**
 * The characters of a name, as regex source: the editor checks a typed name with it (locators.ts,
 * n8n anchors it) and the nodes check it again when they run. One rule, two places.
 */
export const NAME_RULE = '[^\\s.*>/\\\\]+';
/** Key-value bucket names (the bucket becomes the stream KV_<bucket>): letters, digits, - and _. */
export const BUCKET_RULE = '[-\\w]+';
/** Schema names: words of letters, digits, - and _ with single dots between them (order.created). */
export const SCHEMA_NAME_RULE = '[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*';

/** A whole-value pattern from one of the rules above. */
export const wholeValue = (rule: string): RegExp => new RegExp(`^${rule}$`);

const NAME_PATTERN = wholeValue(NAME_RULE);

/** Stream, consumer and bucket names: no whitespace, dots, wildcards or path separators. */
export function validateName(value: string, field: string, kind = 'name'): string {
	const name = value.trim();
	if (name === '') {
		throw new InvalidParameterError(field, `"${field}" is empty`, `Enter the ${kind}`);
	}
	if (!NAME_PATTERN.test(name) || name.length > 255) {
		throw new InvalidParameterError(
			field,
			`"${name}" is not a valid ${kind} (field "${field}")`,
			'Use letters, digits, - and _ only: no spaces, dots, *, >, / or \\',
		);
	}
	return name;
}

export const validateStreamName = (value: string, field = 'Stream') => validateName(value, field, 'stream name');

export const validateConsumerName = (value: string, field = 'Consumer') =>
	validateName(value, field, 'consumer name');

function tokens(subject: string): string[] {
	return subject.split('.');
}

function checkSubjectShape(subject: string, field: string): void {
	if (subject === '') {
		throw new InvalidParameterError(field, `"${field}" is empty`, 'Enter a subject such as orders.created');
	}
	if (/\s/.test(subject)) {
		throw new InvalidParameterError(field, `${field} "${subject}" contains whitespace`, 'Subjects cannot contain spaces or tabs; use dots between tokens, e.g. orders.created');
	}
	if (tokens(subject).some((t) => t === '')) {
		throw new InvalidParameterError(field, `${field} "${subject}" has an empty token`, 'Subjects cannot start or end with a dot or contain ".."');
	}
}

/** A subject to publish to: no wildcards. */
export function validatePublishSubject(value: string, field = 'Subject'): string {
	const subject = value.trim();
	checkSubjectShape(subject, field);
	if (tokens(subject).some((t) => t === '*' || t === '>')) {
		throw new InvalidParameterError(
			field,
			`${field} "${subject}" contains a wildcard`,
			'You can only publish to a concrete subject; wildcards * and > are for subscribing',
		);
	}
	return subject;
}

/** A subject filter: * matches one token, > the rest and only at the end. */
export function validateSubjectFilter(value: string, field = 'Subject Filter'): string {
	const subject = value.trim();
	checkSubjectShape(subject, field);
	const parts = tokens(subject);
	parts.forEach((t, i) => {
		if (t.length > 1 && (t.includes('*') || t.includes('>'))) {
			throw new InvalidParameterError(field, `Subject "${subject}" mixes a wildcard with text in "${t}"`, 'A wildcard must be a whole token: orders.* or orders.>');
		}
		if (t === '>' && i !== parts.length - 1) {
			throw new InvalidParameterError(field, `Subject "${subject}" has ">" before the end`, '">" matches the rest of the subject, so it must be the last token');
		}
	});
	return subject;
}

/**
 * Whether every subject `filter` matches is also matched by `pattern` (both may hold wildcards):
 * "orders.>" contains "orders.created" and "orders.*"; "orders.*" does not contain "orders.>".
 */
export function subjectContains(pattern: string, filter: string): boolean {
	const outer = tokens(pattern);
	const inner = tokens(filter);
	for (let i = 0; i < outer.length; i++) {
		if (outer[i] === '>') return inner.length > i;
		if (i >= inner.length || inner[i] === '>') return false;
		if (outer[i] !== '*' && outer[i] !== inner[i]) return false;
	}
	return outer.length === inner.length;
}

/** Header names: printable ASCII without spaces or colons (they would corrupt the header block). */
export function validateHeaderName(value: string, field = 'Header Name'): string {
	const name = value.trim();
	if (name === '' || !/^[\x21-\x39\x3b-\x7e]+$/.test(name)) {
		throw new InvalidParameterError(
			field,
			`"${name}" is not a valid header name`,
			'Header names use letters, digits and - (no spaces or colons), e.g. X-Order-Id',
		);
	}
	return name;
}

/** Whole numbers in a range, naming the field and the value. */
export function validateInteger(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
	const n = typeof value === 'number' ? value : Number(value);
	if (!Number.isInteger(n) || n < min || n > max) {
		const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`;
		throw new InvalidParameterError(field, `"${field}" must be a whole number ${range}, not ${String(value)}`);
	}
	return n;
}

/**
 * A limit the way NATS wants it. "No limit" is 0 in every field of this package (and -1, NATS's own
 * word for it, is taken too); on the wire it is -1, since the server reads 0 as "its default" in
 * places (Max Ack Pending: 1000).
 */
export function validateLimit(value: unknown, field: string): number {
	const n = typeof value === 'number' ? value : Number(value);
	if (n === 0 || n === -1) return -1;
	return validateInteger(n, field, 1);
}

/** Any number (fractions too) in a range, naming the field and the value. */
export function validateNumber(value: unknown, field: string, min: number, max: number): number {
	const n = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(n) || n < min || n > max) {
		throw new InvalidParameterError(field, `"${field}" must be between ${min} and ${max}, not ${String(value)}`);
	}
	return n;
}

/** A choice parameter's value, refused with the allowed values when it is anything else. */
export function oneOf<T extends string>(value: unknown, allowed: T[], field: string): T {
	if (allowed.includes(value as T)) return value as T;
	throw new InvalidParameterError(field, `"${field}" cannot be "${String(value)}"`, `Choose one of: ${allowed.join(', ')}`);
}

function numberOf(value: unknown, field: string): number {
	const n = typeof value === 'number' ? value : Number(value);
	if (!Number.isFinite(n)) {
		throw new InvalidParameterError(field, `"${field}" must be a number, not "${String(value)}"`);
	}
	return n;
}

/** Keeps a number inside [min, max] and says so (through `warn`) when it had to move it. */
export function clamp(value: unknown, field: string, min: number, max: number, warn: (message: string) => void): number {
	const n = numberOf(value, field);
	const clamped = Math.min(max, Math.max(min, n));
	if (clamped !== n) warn(`"${field}" was ${n}; using ${clamped} (allowed: ${min} to ${max})`);
	return clamped;
}
