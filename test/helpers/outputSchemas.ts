import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import Ajv, { type ValidateFunction } from 'ajv';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

/**
 * The output schemas n8n's editor fetches before a node's first run
 * (`GET /schemas/<package>.<node>/<version>/<resource>/<operation>.json`, served from
 * `__schema__/v<version>/…` next to the node), and a check of real output against them.
 */

export const nodesDir = join(__dirname, '..', '..', 'nodes');

/** n8n's editor asks for "1.0.0" for typeVersion 1 (its `padVersion`). */
export const schemaVersion = (typeVersion: number) => `v${String(typeVersion).split('.').concat(['0', '0']).slice(0, 3).join('.')}`;

export function schemaDir(node: string, typeVersion = 1): string {
	return join(nodesDir, node, '__schema__', schemaVersion(typeVersion));
}

/** "resource/operation" of every schema file of an action node. */
export function schemaFiles(node: string, typeVersion = 1): string[] {
	const dir = schemaDir(node, typeVersion);
	const walk = (at: string): string[] =>
		readdirSync(at, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(at, entry.name)) : [relative(dir, join(at, entry.name))]));
	return walk(dir).sort();
}

export function readSchema(file: string): Record<string, unknown> {
	return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export const actionSchemaFile = (resource: string, operation: string) => join(schemaDir('JetStream'), resource, `${operation}.json`);
export const triggerSchemaFile = (node: 'JetStreamTrigger' | 'JetStreamKvTrigger' | 'JetStreamObjectStoreTrigger' | 'NatsRequestTrigger') => `${schemaDir(node)}.json`;

export function newAjv(): Ajv {
	return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
}

const compiled = new Map<string, ValidateFunction>();

function validatorFor(file: string): ValidateFunction {
	let validate = compiled.get(file);
	if (!validate) {
		validate = newAjv().compile(readSchema(file));
		compiled.set(file, validate);
	}
	return validate;
}

/** The items' JSON as n8n stores it: what survives a JSON round trip. */
const asStored = (json: IDataObject): unknown => JSON.parse(JSON.stringify(json));

/** Fails with every field that breaks the schema, naming the item. */
export function expectMatchesSchema(file: string, items: Array<INodeExecutionData | IDataObject>): void {
	expect(items.length).toBeGreaterThan(0);
	const validate = validatorFor(file);
	const problems = items.flatMap((item, index) => {
		const json = 'json' in item && typeof item.json === 'object' ? (item.json as IDataObject) : (item as IDataObject);
		if (validate(asStored(json))) return [];
		return (validate.errors ?? []).map((e) => `item ${index}: ${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
	});
	expect(problems).toEqual([]);
}

/** The same for an operation of the JetStream node. */
export function expectOperationOutput(resource: string, operation: string, items: Array<INodeExecutionData | IDataObject>): void {
	expectMatchesSchema(actionSchemaFile(resource, operation), items);
}
