'use strict';
/**
 * npm test — the whole suite against the current nats-server (unit, integration, chaos, the
 * three-node cluster run, end-to-end in real n8n, and the editor in headless Chromium), then the
 * integration suite again against Debian's nats-server 2.9.10, the oldest supported. Without Go (to
 * build the current server) it runs everything on the server it has, and says which versions it covered.
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const { serverMatrix } = require('./lib/natsServers');
const { ensureRuntime, NODE_VERSION } = require('./lib/runtime');

const ROOT = join(__dirname, '..');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');

function run(what, command, args, server) {
	const started = Date.now();
	process.stdout.write(`\n== ${what} — nats-server ${server.version}\n`);
	const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, NATS_SERVER_BIN: server.bin } });
	const seconds = Math.round((Date.now() - started) / 1000);
	return { what, version: server.version, ok: result.status === 0, seconds };
}

function main() {
	const { current, floor } = serverMatrix({ build: true, install: process.env.CI === 'true' });
	// The tests run on the Node that n8n 2.41 runs on (24, installed with n8n for the e2e suite), not the
	// machine's: the package is only ever loaded by n8n.
	const node = ensureRuntime().node.bin;
	// --forceExit: every test closes what it opened (triggers are awaited until settled), but a test
	// that fails half-way may leave a connection behind, and a hung Jest would hold CI for an hour.
	const runs = [
		run(`unit, integration, chaos and cluster tests (Node ${NODE_VERSION})`, node, [JEST, '--forceExit'], current),
		run('end-to-end in real n8n', process.execPath, [join(ROOT, 'test', 'e2e', 'run.js')], current),
		run('the editor in a real browser', process.execPath, [join(ROOT, 'test', 'browser', 'run.js')], current),
	];
	if (floor) runs.push(run(`integration tests on the oldest supported server (Node ${NODE_VERSION})`, node, [JEST, '--forceExit', '--selectProjects', 'integration'], floor));
	process.stdout.write('\n== Summary\n');
	for (const r of runs) process.stdout.write(`  ${r.ok ? 'passed' : 'FAILED'}  ${r.what} on nats-server ${r.version} (${r.seconds} s)\n`);
	const versions = [...new Set(runs.map((r) => r.version))];
	process.stdout.write(`  nats-server versions covered: ${versions.join(', ')}${floor ? '' : ' (only one: build the current server with Go, or set NATS_SERVER_BIN, to cover more)'}\n`);
	process.exit(runs.every((r) => r.ok) ? 0 : 1);
}

main();
