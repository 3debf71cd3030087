'use strict';
/**
 * npm run dev — the main job on a fresh machine: a local nats-server with JetStream plus n8n with
 * this package installed as a community package, a ready NATS credential and the example workflows.
 * First run installs Node 24 and n8n into ~/.cache/n8n-nodes-jetstream (a few minutes); later runs
 * start in seconds. Ctrl-C stops everything.
 */
const { existsSync, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { ensureRuntime, say } = require('./lib/runtime');
const { describePort, freePort, startNats } = require('./lib/natsLocal');
const { bestServer, newestServer } = require('./lib/natsServers');
const { installPackage, N8n, OWNER } = require('./lib/n8nHost');

const N8N_PORT = Number(process.env.N8N_PORT || 5678);
const NATS_PORT = 4222;

/**
 * The NATS server n8n talks to: the one NATS_URL names, or our own on 4222 — on another port when
 * something already listens there (a NATS server the user runs, a system service), saying so.
 */
async function localNats(home) {
	if (process.env.NATS_URL) {
		say(`Using the NATS server at ${process.env.NATS_URL} (NATS_URL); it needs JetStream enabled`);
		return { url: process.env.NATS_URL, version: 'yours', stop: async () => undefined };
	}
	// The newest server this machine has; with Go, the current one is built once (about a minute).
	newestServer({ build: true });
	const server = bestServer();
	let port = NATS_PORT;
	const taken = await describePort(NATS_PORT);
	if (taken) {
		port = await freePort(0);
		say(`Port ${NATS_PORT} is already taken by ${taken}; starting our own nats-server on port ${port} instead. To use that server, run: NATS_URL=nats://127.0.0.1:${NATS_PORT} npm run dev`);
	}
	say(`Starting nats-server ${server.version} with JetStream…`);
	return await startNats({ dir: join(home, 'nats'), port, bin: server.bin });
}

async function firstRunSetup(n8n, natsUrl, stateFile) {
	const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {};
	if (state.credentialId && state.natsUrl === natsUrl) return state;
	say('Creating the NATS credential and importing the example workflows…');
	const credential = await n8n.api('POST', '/credentials', { name: 'NATS (local)', type: 'jetStreamNatsApi', data: { servers: natsUrl, connectionName: 'n8n-dev', authType: 'none', tls: false } });
	const examples = join(__dirname, '..', 'examples');
	for (const file of readdirSync(examples).filter((f) => f.endsWith('.json'))) {
		const wf = JSON.parse(readFileSync(join(examples, file), 'utf8'));
		for (const node of wf.nodes) if (node.credentials?.jetStreamNatsApi) node.credentials.jetStreamNatsApi = { id: credential.id, name: 'NATS (local)' };
		await n8n.api('POST', '/workflows', { name: wf.name, nodes: wf.nodes, connections: wf.connections, settings: wf.settings ?? {} });
	}
	const next = { credentialId: credential.id, natsUrl };
	writeFileSync(stateFile, JSON.stringify(next));
	return next;
}

async function main() {
	const runtime = ensureRuntime();
	const home = join(runtime.cache, 'dev');
	const nats = await localNats(home);
	say(`Building and installing n8n-nodes-jetstream into n8n…`);
	installPackage(join(home, 'n8n'));
	const n8n = new N8n(runtime, join(home, 'n8n'), N8N_PORT);
	let stopping = false;
	const stop = async () => {
		stopping = true;
		say('Stopping n8n and nats-server…');
		await n8n.stop();
		await nats.stop();
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
	say(`Starting n8n on http://127.0.0.1:${N8N_PORT} …`);
	await n8n.start();
	await n8n.signIn();
	await firstRunSetup(n8n, nats.url, join(home, 'state.json'));
	console.log(`
  n8n:          http://127.0.0.1:${N8N_PORT}
  login:        ${OWNER.email} / ${OWNER.password}
  NATS:         ${nats.url} (nats-server ${nats.version}; credential "NATS (local)"; JetStream store in ${join(home, 'nats')})
  Ctrl-C stops both.
`);
	n8n.proc.once('exit', async (code) => {
		if (stopping) return;
		say(`n8n exited (${code}); stopping nats-server`);
		await nats.stop();
		process.exit(code ?? 1);
	});
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
