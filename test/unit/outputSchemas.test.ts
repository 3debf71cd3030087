import { existsSync } from 'node:fs';

import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { JetStream } from '../../nodes/JetStream/JetStream.node';
import { JetStreamKvTrigger } from '../../nodes/JetStreamKvTrigger/JetStreamKvTrigger.node';
import { JetStreamObjectStoreTrigger } from '../../nodes/JetStreamObjectStoreTrigger/JetStreamObjectStoreTrigger.node';
import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { NatsRequestTrigger } from '../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';
import { actionSchemaFile, newAjv, readSchema, schemaFiles, schemaVersion, triggerSchemaFile } from '../helpers/outputSchemas';

/**
 * n8n's editor fetches a node's output schema to offer its fields before the first run: one file per
 * resource/operation of the action node, one per trigger. Every operation has one, every file
 * belongs to an operation, and each is a closed JSON Schema n8n can show.
 */

const description = new JetStream().description;

function operationsOf(node: INodeTypeDescription): string[] {
	const resource = node.properties.find((p) => p.name === 'resource');
	const pairs = (resource?.options ?? []).flatMap((option) => {
		const value = (option as { value: string }).value;
		return node.properties
			.filter((p): p is INodeProperties => p.name === 'operation' && (p.displayOptions?.show?.resource ?? []).includes(value))
			.flatMap((p) => (p.options ?? []).map((op) => `${value}/${String((op as { value: string }).value)}.json`));
	});
	return pairs.sort();
}

type Schema = Record<string, unknown>;

/** Every object in the schema, with its place. */
function objects(schema: Schema, at = ''): Array<[string, Schema]> {
	const out: Array<[string, Schema]> = [];
	const types = ([] as unknown[]).concat(schema.type);
	if (types.includes('object')) out.push([at || '(root)', schema]);
	for (const [key, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) out.push(...objects(sub, `${at}.${key}`));
	if (schema.items && typeof schema.items === 'object') out.push(...objects(schema.items as Schema, `${at}[]`));
	return out;
}

/** Objects that pass data through or hold the user's own data, open by design. */
const OPEN = new Set(['message/acknowledge.json (root)', 'schema/validate.json .item', 'schema/get.json .schema']);

describe('output schemas of the JetStream node', () => {
	const files = schemaFiles('JetStream', description.version as number);

	it('are kept where n8n looks for the node version the editor asks for', () => {
		expect(description.version).toBe(1);
		expect(schemaVersion(1)).toBe('v1.0.0');
		expect(files.length).toBeGreaterThan(0);
	});

	it('exist for every resource and operation of the node, and only for those', () => {
		const operations = operationsOf(description);
		expect(operations).toHaveLength(59);
		expect(files).toEqual(operations);
	});

	it.each(files.map((f) => [f]))('%s is a draft-07 JSON Schema of an object with fields', (file) => {
		const [resource, operation] = file.replace(/\.json$/, '').split('/');
		const schema = readSchema(actionSchemaFile(resource, operation));
		expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
		expect(() => newAjv().compile(schema)).not.toThrow();
		// What n8n's editor accepts (isNonEmptyJsonSchema), else it shows no preview.
		expect(schema.type).toBe('object');
		expect(Object.keys(schema.properties as object).length).toBeGreaterThan(0);
	});

	it.each(files.map((f) => [f]))('%s is closed: no object takes fields it does not list, and it requires only listed ones', (file) => {
		const [resource, operation] = file.replace(/\.json$/, '').split('/');
		for (const [at, object] of objects(readSchema(actionSchemaFile(resource, operation)))) {
			const listed = Object.keys((object.properties ?? {}) as object);
			for (const name of (object.required ?? []) as string[]) expect(listed).toContain(name);
			if (OPEN.has(`${file} ${at}`) || !object.properties) continue;
			expect([`${file} ${at}`, object.additionalProperties]).toEqual([`${file} ${at}`, false]);
		}
	});
});

describe('output schemas of the triggers', () => {
	it.each([
		['JetStreamTrigger', new JetStreamTrigger().description, ['payload', 'subject', 'headers', 'correlationId']],
		['JetStreamKvTrigger', new JetStreamKvTrigger().description, ['key', 'operation', 'value', 'revision', 'ackToken']],
		['JetStreamObjectStoreTrigger', new JetStreamObjectStoreTrigger().description, ['name', 'operation', 'size', 'digest', 'ackToken']],
		['NatsRequestTrigger', new NatsRequestTrigger().description, ['payload', 'subject', 'headers', 'correlationId']],
	] as const)('%s has one for its items, at the version n8n asks for, closed', (folder, node, fields) => {
		expect(node.version).toBe(1);
		expect(node.properties.some((p) => p.name === 'resource' || p.name === 'operation')).toBe(false);
		const file = triggerSchemaFile(folder);
		expect(existsSync(file)).toBe(true);
		const schema = readSchema(file);
		expect(() => newAjv().compile(schema)).not.toThrow();
		expect(schema).toMatchObject({ type: 'object', additionalProperties: false });
		expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining([...fields]));
	});
});
