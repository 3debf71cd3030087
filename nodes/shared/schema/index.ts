/**
 * Schema governance, as the nodes use it:
 *
 * - `schemaFields()` / `readSchemaSource(get)`: the "Schema" UI of Publish and the Trigger (None /
 *   Inline JSON Schema / From Registry) and its reader.
 * - `resolveSchema(client, source)`: a compiled validator for that choice (registry lookups cached
 *   for 30 s per connection), with `headerValue` ("order.created@3") for the `Nats-Schema` header.
 * - `validatorForMessage(client, headers, fallback)`: on consume, the version the producer claimed in
 *   `Nats-Schema`, else the fallback.
 * - `SchemaRegistry`: register / get / list / delete versions, compatibility modes.
 */
import type { INodeProperties } from 'n8n-workflow';

import { bucketLocator, locatorName } from '../n8n/locators';

import type { NatsClient } from '../transport/client';
import { headerValue, type HeaderRecord } from '../transport/headers';
import { DEFAULT_SCHEMA_BUCKET, parseSchemaRef, SchemaRegistry } from './registry';
import { parseSchemaText, validatorFor } from './validator';
import type { Violation } from './violations';

export { checkCompatibility, type CompatibilityMode, type CompatibilityResult } from './compatibility';
export { DEFAULT_SCHEMA_BUCKET, parseSchemaRef, SchemaNotRegisteredError, SchemaRegistry, validateSchemaName, type SchemaMeta, type SchemaVersion } from './registry';
export { compiledCount, parseSchemaText, schemaHash, validatorFor } from './validator';
export { formatViolations, type Violation } from './violations';

export const SCHEMA_HEADER = 'Nats-Schema';

export type SchemaSource = { kind: 'none' } | { kind: 'inline'; json: string } | { kind: 'registry'; ref: string; bucket?: string };

export interface ResolvedSchema {
	validate(data: unknown): Violation[];
	name?: string;
	version?: number;
	/** `name@version` for the Nats-Schema header (registry schemas only). */
	headerValue?: string;
}

const REGISTRY_CACHE_MS = 30_000;
const cache = new WeakMap<NatsClient, Map<string, { at: number; schema: Promise<ResolvedSchema> }>>();

async function fromRegistry(client: NatsClient, ref: string, bucket = DEFAULT_SCHEMA_BUCKET): Promise<ResolvedSchema> {
	const { name, version } = parseSchemaRef(ref);
	const registry = await SchemaRegistry.open(client, bucket, false);
	const stored = await registry.get(name, version);
	return { validate: validatorFor(stored.schema), name, version: stored.version, headerValue: `${name}@${stored.version}` };
}

/** Registry lookups are cached briefly per connection so a trigger does not ask KV for every message. */
function cached(client: NatsClient, key: string, load: () => Promise<ResolvedSchema>): Promise<ResolvedSchema> {
	let perClient = cache.get(client);
	if (!perClient) cache.set(client, (perClient = new Map()));
	const hit = perClient.get(key);
	if (hit && Date.now() - hit.at < REGISTRY_CACHE_MS) return hit.schema;
	const schema = load();
	perClient.set(key, { at: Date.now(), schema });
	schema.catch(() => perClient?.delete(key));
	return schema;
}

export async function resolveSchema(client: NatsClient, source: SchemaSource): Promise<ResolvedSchema | undefined> {
	switch (source.kind) {
		case 'inline':
			return { validate: validatorFor(parseSchemaText(source.json, 'JSON Schema')) };
		case 'registry':
			return await cached(client, `${source.bucket ?? DEFAULT_SCHEMA_BUCKET}/${source.ref}`, () => fromRegistry(client, source.ref, source.bucket));
		default:
			return undefined;
	}
}

/**
 * The schema to check a consumed message against: the version its producer named in `Nats-Schema`
 * (`name@version`) when that is a version of the consumer's own registry schema, else the consumer's
 * schema. A producer can pick another version of the same schema, never another schema: otherwise it
 * could choose a lax schema and bypass the consumer's validation.
 */
export async function validatorForMessage(
	client: NatsClient,
	headers: HeaderRecord,
	configured: ResolvedSchema,
	bucket?: string,
): Promise<ResolvedSchema> {
	const claimed = headerValue(headers, SCHEMA_HEADER);
	const match = claimed ? /^(.+)@(\d+)$/.exec(claimed.trim()) : null;
	if (!match || !configured.name || match[1] !== configured.name || Number(match[2]) === configured.version) return configured;
	return await resolveSchema(client, { kind: 'registry', ref: claimed!.trim(), bucket }) ?? configured;
}

export function schemaFields(what = 'the payload'): INodeProperties[] {
	return [
		{
			displayName: 'Schema',
			name: 'schemaSource',
			type: 'options',
			default: 'none',
			description: `Check ${what} against a JSON Schema`,
			options: [
				{ name: 'None', value: 'none' },
				{ name: 'Inline JSON Schema', value: 'inline', description: 'A schema written here' },
				{ name: 'From Registry', value: 'registry', description: 'A schema registered with the JetStream node (Schema → Register Version)' },
			],
		},
		{
			displayName: 'JSON Schema',
			name: 'schemaJson',
			type: 'json',
			default: '{\n  "type": "object",\n  "required": ["id"],\n  "properties": { "id": { "type": "string" } }\n}',
			description: 'Draft 2020-12 (or draft-07 when "$schema" says so)',
			displayOptions: { show: { schemaSource: ['inline'] } },
		},
		{
			displayName: 'Schema Reference',
			name: 'schemaRef',
			type: 'string',
			default: '',
			placeholder: 'e.g. order.created or order.created@2',
			description: 'Name for the latest version, or name@version for a fixed one',
			displayOptions: { show: { schemaSource: ['registry'] } },
		},
		bucketLocator({
			name: 'schemaBucket',
			displayName: 'Registry Bucket',
			description: 'Key-value bucket that holds the registry',
			defaultMode: 'name',
			defaultValue: DEFAULT_SCHEMA_BUCKET,
			displayOptions: { show: { schemaSource: ['registry'] } },
		}),
	];
}

export function readSchemaSource(get: (name: string, fallback: unknown) => unknown): SchemaSource {
	const kind = get('schemaSource', 'none');
	if (kind === 'inline') {
		const json = get('schemaJson', '');
		return { kind: 'inline', json: typeof json === 'string' ? json : JSON.stringify(json) };
	}
	if (kind === 'registry') return { kind: 'registry', ref: String(get('schemaRef', '')), bucket: locatorName(get('schemaBucket', DEFAULT_SCHEMA_BUCKET)).trim() || undefined };
	return { kind: 'none' };
}
