import { InvalidParameterError } from '../errors';
import { BUCKET_RULE, wholeValue } from '../validation';

/**
 * The naming rules of JetStream Key-Value, checked before anything reaches the server: a bad key
 * otherwise turns into a subject the bucket's stream does not capture, which the server reports as
 * "no responders" — true, but useless to someone who mistyped a key.
 */

const BUCKET_PATTERN = wholeValue(BUCKET_RULE);
/** KV keys are subject tokens: letters, digits and - / _ = separated by dots. */
const KEY_PATTERN = /^[-/=.\w]+$/;
const FILTER_PATTERN = /^[-/=.*>\w]+$/;
/** The bucket becomes the stream KV_<bucket>; stream names are limited to 255 characters. */
const MAX_BUCKET_LENGTH = 252;

const KEY_HINT = 'Keys use letters, digits and - / _ = . (e.g. orders.1234 or config/db_url), and cannot start or end with a dot or contain ".."';

export function validateKvBucketName(value: unknown, field = 'Bucket'): string {
	const name = String(value ?? '').trim();
	if (name === '') {
		throw new InvalidParameterError(field, `"${field}" is empty`, 'Enter the name of the Key-Value bucket, e.g. orders_state');
	}
	if (!BUCKET_PATTERN.test(name) || name.length > MAX_BUCKET_LENGTH) {
		throw new InvalidParameterError(
			field,
			`"${name}" is not a valid bucket name (field "${field}")`,
			'Bucket names use letters, digits, - and _ only: no spaces, dots or other symbols',
		);
	}
	return name;
}

function checkDots(key: string, field: string, kind: string): void {
	if (key.startsWith('.') || key.endsWith('.')) {
		throw new InvalidParameterError(field, `${kind} "${key}" starts or ends with a dot`, KEY_HINT);
	}
	if (key.includes('..')) {
		throw new InvalidParameterError(field, `${kind} "${key}" contains ".." (an empty part between dots)`, KEY_HINT);
	}
}

/** One concrete key (no wildcards). Spaces around it (often from an expression) are dropped. */
export function validateKvKey(value: unknown, field = 'Key'): string {
	const key = String(value ?? '').trim();
	if (key === '') {
		throw new InvalidParameterError(field, `"${field}" is empty`, 'Enter the key, e.g. orders.1234');
	}
	if (!KEY_PATTERN.test(key)) {
		const bad = [...key].find((c) => !KEY_PATTERN.test(c)) ?? '';
		throw new InvalidParameterError(field, `Key "${key}" contains "${bad === ' ' ? 'a space' : bad}", which keys cannot hold`, KEY_HINT);
	}
	checkDots(key, field, 'Key');
	return key;
}

/**
 * A filter for listing keys: like a key, where one whole part may be * (any one part) and the last
 * part may be > (everything below).
 */
export function validateKvKeyFilter(value: unknown, field = 'Key Filter'): string {
	const filter = String(value ?? '').trim();
	if (filter === '') return '>';
	if (!FILTER_PATTERN.test(filter)) {
		throw new InvalidParameterError(field, `Filter "${filter}" contains characters keys cannot hold`, 'Use a key with * for one part and > for the rest, e.g. orders.* or orders.>');
	}
	checkDots(filter, field, 'Filter');
	const parts = filter.split('.');
	parts.forEach((part, i) => {
		if (part.length > 1 && /[*>]/.test(part)) {
			throw new InvalidParameterError(field, `Filter "${filter}" mixes a wildcard with text in "${part}"`, 'A wildcard must be a whole part between dots: orders.* or orders.>');
		}
		if (part === '>' && i !== parts.length - 1) {
			throw new InvalidParameterError(field, `Filter "${filter}" has ">" before the end`, '">" matches everything below, so it must be the last part');
		}
	});
	return filter;
}
