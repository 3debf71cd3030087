import { createHash } from 'node:crypto';

import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

import { InvalidParameterError } from '../errors';
import { toViolations, type Violation } from './violations';

/**
 * JSON Schema validators, compiled once per distinct schema and cached by a hash of its canonical
 * text — never per item or per message. Draft 2020-12 unless the schema says draft-07.
 */

export type Validate = (data: unknown) => Violation[];

const MAX_CACHED = 200;
const cache = new Map<string, Validate>();
let compilations = 0;

function makeAjv(draft07: boolean): Ajv {
	const ajv = draft07 ? new Ajv({ allErrors: true, strict: false }) : new Ajv2020({ allErrors: true, strict: false });
	addFormats(ajv);
	return ajv;
}

const engines = { draft07: makeAjv(true), draft2020: makeAjv(false) };

/** Object keys sorted, so the same schema written in another key order hits the same cache entry. */
function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const keys = Object.keys(value as object).sort();
		return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
	}
	return JSON.stringify(value);
}

export function schemaHash(schema: object): string {
	return createHash('sha256').update(canonical(schema)).digest('hex');
}

function compile(schema: object): ValidateFunction {
	const draft07 = /draft-07/.test(String((schema as { $schema?: unknown }).$schema ?? ''));
	const ajv = draft07 ? engines.draft07 : engines.draft2020;
	// The same engine compiles many schemas; an $id must not clash with an earlier one.
	const withoutId = { ...(schema as Record<string, unknown>) };
	delete withoutId.$id;
	try {
		compilations++;
		return ajv.compile(withoutId);
	} catch (error) {
		throw new InvalidParameterError('schema', `The JSON Schema is not valid: ${(error as Error).message}`, 'Check the schema at https://www.jsonschemavalidator.net or start from { "type": "object", "properties": { … } }');
	}
}

export function validatorFor(schema: object): Validate {
	const key = schemaHash(schema);
	const hit = cache.get(key);
	if (hit) {
		cache.delete(key);
		cache.set(key, hit);
		return hit;
	}
	const fn = compile(schema);
	const validate: Validate = (data) => (fn(data) ? [] : toViolations(fn.errors, data));
	cache.set(key, validate);
	if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value as string);
	return validate;
}

/** Parses schema text a user typed, saying where it is broken. */
export function parseSchemaText(text: string, field = 'Schema'): object {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new InvalidParameterError(field, `"${field}" is not valid JSON: ${(error as Error).message}`, 'Paste a JSON Schema document, e.g. { "type": "object", "required": ["id"] }');
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new InvalidParameterError(field, `"${field}" must be a JSON object (a JSON Schema document)`);
	}
	return parsed;
}

/** How many schemas were compiled so far (for tests of the cache). */
export const compiledCount = (): number => compilations;
