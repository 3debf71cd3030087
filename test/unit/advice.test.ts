import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { resources } from '../../nodes/JetStream/actions/resources';
import { properties as triggerProperties } from '../../nodes/JetStreamTrigger/description';
import { CREATE_STREAM_OPTION } from '../../nodes/JetStreamTrigger/consumer/missingStream';
import { withJetStreamNode } from '../../nodes/shared/advice';

/**
 * Advice in errors works when followed literally: every "Resource → Operation" it sends the user to is
 * one the JetStream node has, every trigger option it says to turn on is on the trigger's panel, and
 * a node it sends the user to is run where it can run (not after the failing one).
 */

const NODES = join(__dirname, '..', '..', 'nodes');

function sources(dir: string): string[] {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
	});
}

const code = sources(NODES).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

const operations = new Set(resources.flatMap((r) => r.operations.map((op) => `${r.name} → ${op.name}`)));

function displayNames(fields: INodeProperties[]): string[] {
	return fields.flatMap((f) => [f.displayName, ...displayNames(((f.options ?? []) as INodeProperties[]).filter((o) => 'displayName' in o))]);
}

describe('advice in error texts', () => {
	const sentTo = code.flatMap(({ path, text }) => [...text.matchAll(/withJetStreamNode\('([^']+)'\)/g)].map((m) => [path.slice(NODES.length + 1), m[1]] as const));

	it('sends the user to operations in several places (the sweep found them)', () => {
		expect(sentTo.length).toBeGreaterThanOrEqual(8);
	});

	it.each(sentTo)('%s: "%s" is an operation of the JetStream node', (_path, operation) => {
		expect(operations).toContain(operation);
	});

	const mentions = code.flatMap(({ path, text }) =>
		resources.flatMap((r) =>
			[...text.matchAll(new RegExp(`\\b${r.name} → ([^'"\`\\n]*)`, 'g'))].map((m) => [path.slice(NODES.length + 1), r.name, m[1].slice(0, 40)] as const),
		),
	);

	it.each(mentions)('%s: "%s → %s" starts with an operation of that resource', (_path, resource, rest) => {
		const names = resources.find((r) => r.name === resource)!.operations.map((op) => op.name);
		expect(names.some((name) => rest.startsWith(name))).toBe(true);
	});

	it('names each place where the node it sends the user to can run', () => {
		expect(withJetStreamNode('Stream → Create')).toBe('a JetStream node set to Stream → Create, run on its own (not connected after this node) or in another workflow');
	});

	it('sends nobody to a node in the old "JetStream node → …" words, which do not say where to run it', () => {
		const old = code.filter(({ text }) => /hint[^\n]*JetStream node → /.test(text)).map(({ path }) => path);
		expect(old).toEqual([]);
	});

	const turnOn = code.flatMap(({ text }) => [...text.matchAll(/[Tt]urn on "([^"$]+)"/g)].map((m) => m[1]));

	it.each([...new Set(turnOn)].filter((name) => !['Continue On Fail', 'Output Item If Missing', 'Allow Destructive Operations'].includes(name)))(
		'"Turn on "%s"" names an option of the JetStream Trigger',
		(name) => {
			expect(displayNames(triggerProperties)).toContain(name);
		},
	);

	it('names the trigger option "Create Stream If Missing" as its panel shows it', () => {
		expect(displayNames(triggerProperties)).toContain(CREATE_STREAM_OPTION);
	});
});
