import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeTypeDescription } from 'n8n-workflow';

import { JetStream } from '../../nodes/JetStream/JetStream.node';
import { JetStreamKvTrigger } from '../../nodes/JetStreamKvTrigger/JetStreamKvTrigger.node';
import { JetStreamObjectStoreTrigger } from '../../nodes/JetStreamObjectStoreTrigger/JetStreamObjectStoreTrigger.node';
import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { NatsRequestTrigger } from '../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';

/** What n8n's editor shows for each node: its text in the node panel and its "Docs" link. */

const root = join(__dirname, '..', '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { homepage: string };
const repository = packageJson.homepage.replace(/#readme$/, '');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

const nodes: Array<[string, INodeTypeDescription]> = [
	['JetStream', new JetStream().description],
	['JetStreamTrigger', new JetStreamTrigger().description],
	['JetStreamKvTrigger', new JetStreamKvTrigger().description],
	['JetStreamObjectStoreTrigger', new JetStreamObjectStoreTrigger().description],
	['NatsRequestTrigger', new NatsRequestTrigger().description],
];

const codexOf = (folder: string) =>
	JSON.parse(readFileSync(join(root, 'nodes', folder, `${folder}.node.json`), 'utf8')) as {
		node: string;
		resources: { primaryDocumentation: Array<{ url: string }>; credentialDocumentation?: Array<{ url: string }> };
	};

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const readmeAnchors = new Set(readme.split('\n').filter((line) => /^#{1,6} /.test(line)).map((line) => anchorOf(line.replace(/^#+ /, ''))));

/**
 * n8n's node panel (n8n-editor-ui 2.41, useActionsGeneration → generateMergedNodesAndActions) folds a
 * trigger into the node whose type name is the trigger's without "Trigger", when that node has
 * actions, and then shows the trigger's description for the one entry — in "What happens next?" too.
 */
function shownInNodePanel(name: string): string {
	const merged = nodes.find(([, d]) => d.group.includes('trigger') && d.name.replace('Trigger', '') === name);
	return (merged ?? nodes.find(([, d]) => d.name === name)!)[1].description;
}

describe('node descriptions and documentation links', () => {
	it.each(nodes)('%s links its "Docs" tab and codex to its own README section', (folder, description) => {
		const codex = codexOf(folder);
		expect(codex.node).toBe(`n8n-nodes-jetstream.${description.name}`);
		const [readmeLink, natsLink] = codex.resources.primaryDocumentation.map((d) => d.url);
		expect(readmeLink.startsWith(`${repository}#`)).toBe(true);
		expect(readmeAnchors).toContain(readmeLink.split('#')[1]);
		// The editor appends "?utm_…" to a codex link, after the anchor; documentationUrl is used as it is.
		expect(description.documentationUrl).toBe(readmeLink);
		expect(natsLink).toMatch(/^https:\/\/docs\.nats\.io\//);
		expect(codex.resources.credentialDocumentation?.[0].url).toBe(`${repository}#credentials-nats`);
		expect(readmeAnchors).toContain('credentials-nats');
	});

	it('gives every node a description of its own', () => {
		const texts = nodes.map(([, d]) => d.description);
		for (const text of texts) expect(text.length).toBeGreaterThan(20);
		expect(new Set(texts).size).toBe(texts.length);
	});

	it('shows text that fits the JetStream entry, which n8n makes of the action node and its trigger', () => {
		const jetStream = shownInNodePanel('jetStream');
		expect(jetStream).toBe(new JetStreamTrigger().description.description);
		expect(jetStream).toMatch(/start a workflow/i);
		expect(jetStream).toMatch(/publish events/i);
		expect(jetStream).toMatch(/streams, consumers, key-value buckets, object stores, counters and dead letters/);
	});

	it('shows the NATS Request Trigger\'s own text (no node to fold it into)', () => {
		expect(shownInNodePanel('natsRequestTrigger')).toBe(new NatsRequestTrigger().description.description);
		expect(shownInNodePanel('natsRequestTrigger')).toMatch(/^Answers requests on a NATS subject/);
	});
});
