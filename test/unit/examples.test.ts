import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeProperties } from 'n8n-workflow';

import { JetStream } from '../../nodes/JetStream/JetStream.node';

/**
 * The example workflows import into n8n as they are: valid JSON, connections between nodes that
 * exist, and every parameter of a JetStream node one the node shows for that resource and operation
 * (a renamed field would otherwise be dropped silently on import). Real runs are the e2e suite's.
 */

interface WorkflowNode {
	name: string;
	type: string;
	parameters: Record<string, unknown>;
}

interface Workflow {
	nodes: WorkflowNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
}

const dir = join(__dirname, '..', '..', 'examples');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
const properties = new JetStream().description.properties;

function shownFor(resource: string, operation: string): Set<string> {
	const shown = (p: INodeProperties) => {
		const show = p.displayOptions?.show ?? {};
		return (!show.resource || show.resource.includes(resource)) && (!show.operation || show.operation.includes(operation));
	};
	return new Set(properties.filter(shown).map((p) => p.name));
}

describe('example workflows', () => {
	it('include the object store round trip', () => {
		expect(files).toContain('object-store-roundtrip.json');
	});

	it.each(files.map((f) => [f]))('%s: nodes are connected by name and JetStream parameters exist for their operation', (file) => {
		const workflow = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Workflow;
		const names = new Set(workflow.nodes.map((n) => n.name));
		for (const [from, outputs] of Object.entries(workflow.connections)) {
			expect(names).toContain(from);
			for (const target of outputs.main.flat()) expect(names).toContain(target.node);
		}
		for (const node of workflow.nodes.filter((n) => n.type === 'n8n-nodes-jetstream.jetStream')) {
			const { resource, operation } = node.parameters as { resource: string; operation: string };
			const known = shownFor(resource, operation);
			const unknown = Object.keys(node.parameters).filter((name) => !known.has(name));
			expect([node.name, unknown]).toEqual([node.name, []]);
		}
	});
});
