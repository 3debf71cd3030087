import type { IExecuteFunctions } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { formatViolations, readSchemaSource, resolveSchema, SCHEMA_HEADER, type ResolvedSchema } from '../../../shared/schema';
import type { HeaderRecord, NatsClient } from '../../../shared/transport';
import { itemNumber } from '../perItem';
import type { Payload } from './payload';

/** Publish's schema check: resolve the chosen schema once, refuse an item that breaks it. */

const NOT_JSON = Symbol('not JSON');

function parseJson(data: Uint8Array): unknown {
	try {
		return JSON.parse(new TextDecoder().decode(data));
	} catch {
		// Text or bytes that are not JSON cannot match a JSON Schema; the caller says so.
		return NOT_JSON;
	}
}

export type SchemaLookup = (i: number) => Promise<ResolvedSchema | undefined> | undefined;

/** Schemas resolved once per distinct choice in this execution (an expression may vary per item). */
export function schemaLookup(fn: IExecuteFunctions, client: NatsClient): SchemaLookup {
	const resolved = new Map<string, Promise<ResolvedSchema | undefined>>();
	return (i) => {
		const source = readSchemaSource((name, fallback) => fn.getNodeParameter(name, i, fallback));
		if (source.kind === 'none') return undefined;
		const key = JSON.stringify(source);
		if (!resolved.has(key)) resolved.set(key, resolveSchema(client, source));
		return resolved.get(key);
	};
}

export function checkSchema(i: number, payload: Payload, schema: ResolvedSchema, headers: HeaderRecord): void {
	const data = payload.kind === 'json' ? payload.value : parseJson(payload.data);
	if (data === NOT_JSON) {
		throw new InvalidParameterError('schema', `Item ${itemNumber(i)} cannot be checked against the schema: its payload is not JSON`, 'Send the item as JSON (Payload: Whole Item or One Field), or choose Schema: None');
	}
	const violations = schema.validate(data);
	if (violations.length > 0) {
		throw new InvalidParameterError(
			'schema',
			`Item ${itemNumber(i)} does not match the schema${schema.headerValue ? ` ${schema.headerValue}` : ''}: ${formatViolations(violations, 10)}`,
			'Fix the data (or the mapping before this node) so it matches the schema; nothing was published for this item',
		);
	}
	if (schema.headerValue) headers[SCHEMA_HEADER] = schema.headerValue;
}

