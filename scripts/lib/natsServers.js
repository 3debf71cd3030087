'use strict';
/**
 * Which nats-server binaries the tests and the local stack run: the current server, built once from
 * its Go module into the cache (users run 2.11–2.15), and Debian's package (2.9.10, the oldest we
 * support). `NATS_SERVER_BIN` overrides the current one, for any version a developer wants to try.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync } = require('node:fs');
const { homedir } = require('node:os');
const { join } = require('node:path');

const NEWEST_VERSION = process.env.NATS_SERVER_VERSION || '2.15.3';
const MODULE = 'github.com/nats-io/nats-server/v2';
const CACHE = process.env.N8N_JETSTREAM_CACHE || join(homedir(), '.cache', 'n8n-nodes-jetstream');

const say = (message) => process.stdout.write(`[nats-server] ${message}\n`);

/** "2.15.2" for a binary that runs, undefined otherwise. */
function versionOf(bin) {
	const probe = spawnSync(bin, ['--version'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0) return undefined;
	return /v?(\d+\.\d+\.\d+)/.exec(probe.stdout)?.[1];
}

function compareVersions(a, b) {
	const [x, y] = [a, b].map((v) => v.split('.').map(Number));
	for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
	return 0;
}

function hasGo() {
	return spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
}

/** The current server from its Go module, built once per version (about a minute on 2 cores). */
function newestServer({ build = true } = {}) {
	const dir = join(CACHE, `nats-server-v${NEWEST_VERSION}`);
	const bin = join(dir, 'nats-server');
	if (existsSync(bin) && versionOf(bin)) return { bin, version: versionOf(bin) };
	if (!build || !hasGo()) return undefined;
	say(`Building nats-server ${NEWEST_VERSION} from its Go module into ${dir} (once per machine, about a minute)…`);
	mkdirSync(dir, { recursive: true });
	const result = spawnSync('go', ['install', `${MODULE}@v${NEWEST_VERSION}`], {
		env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
		encoding: 'utf8',
		stdio: ['ignore', 'inherit', 'inherit'],
	});
	if (result.status !== 0 || !versionOf(bin)) {
		say(`Could not build nats-server ${NEWEST_VERSION} (go install exited ${result.status}); going on without it`);
		return undefined;
	}
	return { bin, version: versionOf(bin) };
}

/** Debian's nats-server on the PATH (installed with apt-get when missing and allowed). */
function packagedServer({ install = false } = {}) {
	if (versionOf('nats-server')) return { bin: 'nats-server', version: versionOf('nats-server') };
	if (!install) return undefined;
	say('Installing nats-server (apt-get)…');
	const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : [];
	const [command, ...args] = [...sudo, 'apt-get', 'install', '-y', 'nats-server'];
	spawnSync(command, args, { stdio: 'inherit' });
	return versionOf('nats-server') ? { bin: 'nats-server', version: versionOf('nats-server') } : undefined;
}

/**
 * The servers a test run covers: `current` runs everything, `floor` (when it is another version)
 * runs the integration suite again. NATS_SERVER_BIN, when set, is the current one.
 */
function serverMatrix({ build = true, install = false } = {}) {
	const floor = packagedServer({ install });
	let current;
	if (process.env.NATS_SERVER_BIN) {
		const version = versionOf(process.env.NATS_SERVER_BIN);
		if (!version) throw new Error(`NATS_SERVER_BIN=${process.env.NATS_SERVER_BIN} does not run ("--version" failed)`);
		current = { bin: process.env.NATS_SERVER_BIN, version };
	} else {
		current = newestServer({ build }) ?? floor;
	}
	if (!current) {
		throw new Error('No nats-server found: install it with "sudo apt-get install -y nats-server", install Go to build the current one, or set NATS_SERVER_BIN');
	}
	return { current, floor: floor && floor.version !== current.version ? floor : undefined };
}

/** The newest server available here, for `npm run dev`. */
function bestServer() {
	const candidates = [process.env.NATS_SERVER_BIN && { bin: process.env.NATS_SERVER_BIN, version: versionOf(process.env.NATS_SERVER_BIN) }, newestServer({ build: false }), packagedServer({ install: true })];
	const found = candidates.filter((c) => c && c.version);
	found.sort((a, b) => compareVersions(b.version, a.version));
	return found[0];
}

module.exports = { NEWEST_VERSION, versionOf, compareVersions, newestServer, packagedServer, serverMatrix, bestServer };

if (require.main === module) {
	const matrix = serverMatrix({ build: true, install: process.argv.includes('--install') });
	say(`current ${matrix.current.version} (${matrix.current.bin})${matrix.floor ? `, floor ${matrix.floor.version} (${matrix.floor.bin})` : ''}`);
}
