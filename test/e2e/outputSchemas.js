'use strict';
/**
 * The output schemas n8n's editor fetches to offer a node's fields before its first run: n8n serves
 * them from the installed package (GET /schemas/<node type>/<version>[/<resource>/<operation>].json,
 * no login needed), exactly as the package ships them.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const { expect } = require('./lib');

const nodes = join(__dirname, '..', '..', 'nodes');

const outputSchemas = {
	name: 'n8n serves the output schemas the editor fetches before a first run (action node and trigger), as the package ships them',
	async run(s) {
		const served = [
			['/schemas/n8n-nodes-jetstream.jetStream/1.0.0/stream/create.json', join(nodes, 'JetStream', '__schema__', 'v1.0.0', 'stream', 'create.json')],
			['/schemas/n8n-nodes-jetstream.jetStreamTrigger/1.0.0.json', join(nodes, 'JetStreamTrigger', '__schema__', 'v1.0.0.json')],
		];
		for (const [path, file] of served) {
			const response = await fetch(`${s.n8n.base}${path}`);
			expect(response.status === 200, `GET ${path} answered ${response.status}`);
			const body = await response.json();
			const shipped = JSON.parse(readFileSync(file, 'utf8'));
			expect(JSON.stringify(body) === JSON.stringify(shipped), `GET ${path} is not ${file}: ${JSON.stringify(body).slice(0, 200)}`);
		}
		const missing = await fetch(`${s.n8n.base}/schemas/n8n-nodes-jetstream.jetStream/1.0.0/stream/noSuchOperation.json`);
		expect(missing.status === 404, `an unknown operation's schema answered ${missing.status}`);
	},
};

module.exports = { outputSchemas };
