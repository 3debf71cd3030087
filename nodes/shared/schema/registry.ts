import type { KV } from '@nats-io/kv';

import { withJetStreamNode } from '../advice';
import { InvalidParameterError, JetStreamNodeError } from '../errors';
import { toNodeError } from '../errorMapping';
import type { NatsClient } from '../transport/client';
import { kvFlowControl, untilRefused } from '../transport/refusals';
import { prefixedName } from '../transport/subjectPrefix';
import { SCHEMA_NAME_RULE, wholeValue } from '../validation';
import { checkCompatibility, type CompatibilityMode, type CompatibilityResult } from './compatibility';
import { validatorFor } from './validator';

/**
 * A versioned schema registry in a JetStream key-value bucket: `<name>.v<version>` holds a schema,
 * `<name>.meta` the latest version and the compatibility mode. Versions are claimed with KV create,
 * so two registrations at the same moment get two different versions.
 */

export const DEFAULT_SCHEMA_BUCKET = 'n8n_schemas';

/** The registry answered, and it has no such schema or version (unlike a registry that cannot be read). */
export class SchemaNotRegisteredError extends JetStreamNodeError {
	constructor(message: string, hint: string) {
		super('not-found', message, { hint });
		this.name = 'SchemaNotRegisteredError';
	}
}
const NAME = wholeValue(SCHEMA_NAME_RULE);
const MAX_ROUNDS = 10;

export interface SchemaVersion {
	name: string;
	version: number;
	schema: object;
	registeredAt: string;
}

export interface SchemaMeta {
	/** The newest version still registered (0: none). */
	latest: number;
	/** The highest version ever registered: numbers are not reused after a delete. */
	highest: number;
	compatibility: CompatibilityMode;
}

export function validateSchemaName(name: string, field = 'Schema Name'): string {
	const trimmed = name.trim();
	if (!NAME.test(trimmed)) {
		throw new InvalidParameterError(field, `"${trimmed}" is not a valid schema name`, 'Use letters, digits, -, _ and dots between words, e.g. order.created');
	}
	return trimmed;
}

/** "order.created" → latest; "order.created@3" → version 3. */
export function parseSchemaRef(ref: string, field = 'Schema'): { name: string; version?: number } {
	const [name, version, extra] = ref.trim().split('@');
	if (extra !== undefined || (version !== undefined && !/^[1-9]\d*$/.test(version))) {
		throw new InvalidParameterError(field, `"${ref}" is not a schema reference`, 'Write name or name@version, e.g. order.created or order.created@2');
	}
	return { name: validateSchemaName(name, field), version: version === undefined ? undefined : Number(version) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const isConflict = (error: unknown) => /wrong last sequence|key exists/i.test(String((error as Error)?.message));

export class SchemaRegistry {
	private constructor(
		private readonly kv: KV,
		readonly bucket: string,
		private readonly client: NatsClient,
	) {}

	/** The default bucket is the credential's own: `tenant-a_n8n_schemas` under a Subject Prefix. */
	static async open(client: NatsClient, name = DEFAULT_SCHEMA_BUCKET, create = true): Promise<SchemaRegistry> {
		const bucket = name === DEFAULT_SCHEMA_BUCKET ? prefixedName(client.credentials.subjectPrefix, name) : name;
		try {
			const kv = create ? await client.kvm().create(bucket, { history: 1, replicas: client.credentials.replicas, description: 'JSON Schemas registered by n8n' }) : await client.kvm().open(bucket);
			if (!create) await kv.status();
			return new SchemaRegistry(kv, bucket, client);
		} catch (error) {
			const mapped = toNodeError(error, { stream: `KV_${bucket}`, bucket });
			if (mapped.category === 'not-found') {
				throw new JetStreamNodeError('not-found', `The schema registry bucket "${bucket}" does not exist`, { hint: `Register a schema first with ${withJetStreamNode('Schema → Register Version')}`, cause: error });
			}
			throw mapped;
		}
	}

	async meta(name: string): Promise<{ meta: SchemaMeta; revision: number } | undefined> {
		const entry = await this.kv.get(`${name}.meta`);
		if (!entry || entry.operation !== 'PUT') return undefined;
		return { meta: JSON.parse(decoder.decode(entry.value)) as SchemaMeta, revision: entry.revision };
	}

	/** Registers `schema` as the next version of `name`, unless it breaks the name's compatibility mode. */
	async register(name: string, schema: object): Promise<SchemaVersion & { compatibility: CompatibilityResult }> {
		validatorFor(schema);
		for (let round = 0; round < MAX_ROUNDS; round++) {
			const current = await this.meta(name);
			const mode = current?.meta.compatibility ?? 'backward';
			let check: CompatibilityResult = { compatible: true, reasons: [], notCompared: [] };
			if (current && current.meta.latest > 0 && mode !== 'none') {
				const previous = await this.get(name, current.meta.latest);
				check = checkCompatibility(previous.schema, schema, mode);
				if (!check.compatible) {
					throw new JetStreamNodeError('conflict', `Schema "${name}" v${current.meta.latest + 1} breaks ${mode} compatibility: ${check.reasons.join('; ')}`, {
						hint: 'Make the change compatible (e.g. make a new field optional), or set the compatibility mode of this schema to None',
					});
				}
			}
			const version = Math.max(current?.meta.highest ?? 0, current?.meta.latest ?? 0) + 1;
			const stored: SchemaVersion = { name, version, schema, registeredAt: new Date().toISOString() };
			try {
				await this.kv.create(`${name}.v${version}`, encoder.encode(JSON.stringify(stored)));
			} catch (error) {
				if (isConflict(error)) continue; // Someone registered this version a moment ago: look again.
				throw toNodeError(error, { bucket: this.bucket });
			}
			await this.saveMeta(name, { latest: version, highest: version, compatibility: mode }, current?.revision);
			return { ...stored, compatibility: check };
		}
		throw new JetStreamNodeError('conflict', `Schema "${name}" kept changing while registering`, { hint: 'Try again' });
	}

	async get(name: string, version?: number): Promise<SchemaVersion> {
		const wanted = version ?? (await this.meta(name))?.meta.latest;
		const entry = wanted ? await this.kv.get(`${name}.v${wanted}`) : null;
		if (!entry || entry.operation !== 'PUT') {
			throw new SchemaNotRegisteredError(`Schema "${name}${version ? `@${version}` : ''}" is not registered in bucket "${this.bucket}"`, 'Check the name and version (Schema → Get Many)');
		}
		return JSON.parse(decoder.decode(entry.value)) as SchemaVersion;
	}

	async list(): Promise<Array<{ name: string; versions: number[]; latest: number; compatibility: CompatibilityMode }>> {
		const byName = new Map<string, number[]>();
		for await (const key of untilRefused(this.client.nc, await this.kv.keys(), kvFlowControl(this.bucket))) {
			const match = /^(.+)\.v(\d+)$/.exec(key);
			if (match) byName.set(match[1], [...(byName.get(match[1]) ?? []), Number(match[2])]);
		}
		const out = [];
		for (const [name, versions] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
			const meta = (await this.meta(name))?.meta;
			out.push({ name, versions: versions.sort((a, b) => a - b), latest: meta?.latest ?? Math.max(...versions), compatibility: meta?.compatibility ?? 'backward' });
		}
		return out;
	}

	async deleteVersion(name: string, version: number): Promise<void> {
		await this.get(name, version);
		await this.kv.delete(`${name}.v${version}`);
		const current = await this.meta(name);
		if (current && current.meta.latest === version) {
			const left = (await this.list()).find((s) => s.name === name)?.versions ?? [];
			// "highest" stays: a deleted number is never given to another schema.
			await this.saveMeta(name, { ...current.meta, highest: Math.max(current.meta.highest ?? 0, version), latest: left.length ? Math.max(...left) : 0 }, current.revision);
		}
	}

	async setCompatibility(name: string, compatibility: CompatibilityMode): Promise<SchemaMeta> {
		const current = await this.meta(name);
		const meta = { latest: current?.meta.latest ?? 0, highest: current?.meta.highest ?? 0, compatibility };
		await this.saveMeta(name, meta, current?.revision);
		return meta;
	}

	private async saveMeta(name: string, meta: SchemaMeta, revision: number | undefined): Promise<void> {
		const value = encoder.encode(JSON.stringify(meta));
		try {
			if (revision === undefined) await this.kv.create(`${name}.meta`, value);
			else await this.kv.update(`${name}.meta`, value, revision);
		} catch (error) {
			if (!isConflict(error)) throw toNodeError(error, { bucket: this.bucket });
			// Another registration moved "latest" meanwhile: keep the higher version.
			const now = await this.meta(name);
			if (now && now.meta.latest < meta.latest) await this.saveMeta(name, { ...now.meta, latest: meta.latest, highest: Math.max(now.meta.highest ?? 0, meta.latest) }, now.revision);
		}
	}
}
