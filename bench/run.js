'use strict';
/**
 * npm run bench [-- --quick] [-- --only publish,trigger,latency,memory,connections,schema,go]
 * NATS_SERVER_BIN=/path/to/nats-server picks the server (else the one on PATH). `go` (the natscli
 * `nats bench` ceiling, built with Go when missing) runs only when asked for with --only.
 * Prints Markdown tables; bench/RESULTS.md holds a measured copy with the machine it ran on.
 */
const { spawnSync } = require('node:child_process');
const { cpus, loadavg } = require('node:os');
const { serverVersion } = require('./lib/harness');

const benches = {
	publish: () => require('./publish'),
	trigger: () => require('./trigger'),
	latency: () => require('./latency'),
	memory: () => require('./memory'),
	connections: () => require('./connections'),
	schema: () => require('./schema'),
	go: () => require('./goCeiling'),
};
// Not in the default run: it needs Go (or a built natscli) and runs the publish and trigger contenders again.
const onRequest = new Set(['go']);

async function main() {
	const args = process.argv.slice(2);
	const quick = args.includes('--quick');
	const onlyAt = args.indexOf('--only');
	const only = onlyAt >= 0 ? args[onlyAt + 1].split(',') : Object.keys(benches).filter((name) => !onRequest.has(name));
	if (!args.includes('--child')) {
		const load = loadavg().map((l) => l.toFixed(2)).join(', ');
		console.log(`# JetStream nodes vs raw NATS.js — ${new Date().toISOString()}, Node ${process.version}, ${serverVersion()}, ${cpus().length} cores, load average ${load}${quick ? ', quick mode' : ''}`);
	}
	for (const name of only) {
		if (!benches[name]) throw new Error(`Unknown benchmark "${name}"; choose from ${Object.keys(benches).join(', ')}`);
		if (only.length > 1) {
			// Each benchmark in a fresh process: the heap one leaves behind would distort the next one's
			// memory figures (and its garbage collections the next one's rates).
			const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--only', name, '--child', ...(quick ? ['--quick'] : [])], { stdio: 'inherit' });
			if (child.status !== 0) throw new Error(`The ${name} benchmark failed (exit ${child.status})`);
			continue;
		}
		let bench;
		try {
			bench = benches[name]();
		} catch (error) {
			if (error.code !== 'MODULE_NOT_FOUND') throw error;
			console.log(`\n(${name}: not available yet)`);
			continue;
		}
		await bench({ quick });
	}
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
