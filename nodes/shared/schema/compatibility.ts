/**
 * Schema evolution checks for the constructs event contracts use: type, required, properties,
 * additionalProperties, enum, nested objects and array items. Other constructs are listed as
 * "not compared" rather than guessed at.
 *
 * backward: consumers on the NEW schema can read data written with the OLD one.
 * forward:  consumers on the OLD schema can read data written with the NEW one.
 * full:     both.
 */

export type CompatibilityMode = 'none' | 'backward' | 'forward' | 'full';

export interface CompatibilityResult {
	compatible: boolean;
	reasons: string[];
	/** Constructs present in either schema that these checks do not compare. */
	notCompared: string[];
}

type Schema = Record<string, unknown>;

const NOT_COMPARED = ['oneOf', 'anyOf', 'allOf', 'not', '$ref', '$defs', 'definitions', 'patternProperties', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired', 'prefixItems', 'unevaluatedProperties'];

const asSchema = (v: unknown): Schema => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Schema) : {});
const field = (path: string) => `\`${path || '(root)'}\``;
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function types(s: Schema): Set<string> | undefined {
	if (s.type === undefined) return undefined;
	const list = (Array.isArray(s.type) ? s.type : [s.type]).map(String);
	// An integer is a number; a schema allowing "number" accepts integers too.
	if (list.includes('number')) list.push('integer');
	return new Set(list);
}

/** Can a reader with `reader` read every value `writer` allows? Reasons when not. */
function readable(writer: Schema, reader: Schema, path: string, out: string[], label: string): void {
	const wt = types(writer);
	const rt = types(reader);
	if (rt && (!wt || [...wt].some((t) => !rt.has(t)))) {
		const from = wt ? [...wt].filter((t) => t !== 'integer' || !wt.has('number')).join(' or ') : 'any type';
		out.push(`${label}: type of ${field(path)} changed from ${from} to ${[...rt].filter((t) => t !== 'integer' || !rt.has('number')).join(' or ')}`);
	}
	if (Array.isArray(reader.enum)) {
		const allowed = new Set(reader.enum.map((v) => JSON.stringify(v)));
		const written = Array.isArray(writer.enum) ? writer.enum : undefined;
		if (!written) out.push(`${label}: ${field(path)} became limited to ${reader.enum.map((v) => JSON.stringify(v)).join(', ')}`);
		else for (const v of written) if (!allowed.has(JSON.stringify(v))) out.push(`${label}: ${field(path)} no longer allows ${JSON.stringify(v)}`);
	}
	const wProps = asSchema(writer.properties);
	const rProps = asSchema(reader.properties);
	const wRequired = new Set((writer.required as string[] | undefined) ?? []);
	for (const name of (reader.required as string[] | undefined) ?? []) {
		if (!wRequired.has(name)) out.push(`${label}: field ${field(join(path, name))} became required`);
	}
	if (reader.additionalProperties === false) {
		for (const name of Object.keys(wProps)) if (!(name in rProps)) out.push(`${label}: field ${field(join(path, name))} was removed and other fields are not allowed`);
		const writerIsObject = writer.type === 'object' || writer.properties !== undefined;
		if (writerIsObject && writer.additionalProperties !== false) out.push(`${label}: ${field(path)} no longer allows fields beyond those listed`);
	}
	for (const [name, rSub] of Object.entries(rProps)) {
		if (name in wProps) readable(asSchema(wProps[name]), asSchema(rSub), join(path, name), out, label);
	}
	if (writer.items !== undefined && reader.items !== undefined) readable(asSchema(writer.items), asSchema(reader.items), `${path}[]`, out, label);
}

function constructs(s: unknown, path: string, out: Set<string>): void {
	if (s === null || typeof s !== 'object') return;
	for (const [key, value] of Object.entries(s as Schema)) {
		if (NOT_COMPARED.includes(key)) out.add(`${key} at ${field(path)}`);
		if (key === 'properties') for (const [name, sub] of Object.entries(asSchema(value))) constructs(sub, join(path, name), out);
		if (key === 'items') constructs(value, `${path}[]`, out);
	}
}

export function checkCompatibility(previous: object, next: object, mode: CompatibilityMode): CompatibilityResult {
	const reasons: string[] = [];
	if (mode === 'backward' || mode === 'full') readable(asSchema(previous), asSchema(next), '', reasons, 'backward');
	if (mode === 'forward' || mode === 'full') readable(asSchema(next), asSchema(previous), '', reasons, 'forward');
	const notCompared = new Set<string>();
	constructs(previous, '', notCompared);
	constructs(next, '', notCompared);
	return { compatible: reasons.length === 0, reasons, notCompared: [...notCompared] };
}
