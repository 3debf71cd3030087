'use strict';
/**
 * Shared bench plumbing: a throwaway nats-server, the compiled package from dist/, small fake n8n
 * contexts, and statistics. Benchmarks compare our nodes with the raw NATS.js client in one run on
 * one server, so the ratio means something even on a busy machine.
 */
const { spawn, execSync, execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, existsSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir, loadavg } = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');

function ensureBuilt() {
	if (!existsSync(join(ROOT, 'dist', 'nodes', 'JetStream', 'JetStream.node.js')) || process.env.BENCH_REBUILD) {
		execSync('npm run build', { cwd: ROOT, stdio: 'inherit' });
	}
}

const dist = (path) => require(join(ROOT, 'dist', path));

function freePort() {
	return new Promise((res) => {
		const s = createServer();
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => res(port));
		});
	});
}

/** NATS_SERVER_BIN (e.g. 2.15.3, what users run) when set, else the nats-server on PATH. */
const serverBin = () => process.env.NATS_SERVER_BIN || 'nats-server';

/** e.g. "nats-server: v2.15.3 (NATS_SERVER_BIN)", printed with every run so a figure names its server. */
function serverVersion() {
	const bin = serverBin();
	const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
	return `${version} (${process.env.NATS_SERVER_BIN ? 'NATS_SERVER_BIN' : 'PATH'})`;
}

async function startServer() {
	const dir = mkdtempSync(join(tmpdir(), 'jetstream-bench-'));
	const port = await freePort();
	const monitor = await freePort();
	const conf = join(dir, 'nats.conf');
	writeFileSync(conf, `listen: 127.0.0.1:${port}\nhttp: 127.0.0.1:${monitor}\nmax_payload: 8MB\njetstream { store_dir: "${join(dir, 'store')}", max_memory_store: 1GB, max_file_store: 20GB }\n`);
	const proc = spawn(serverBin(), ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
	let log = '';
	await new Promise((res, rej) => {
		const timer = setTimeout(() => rej(new Error(`nats-server did not start:\n${log}`)), 10_000);
		proc.stderr.on('data', (d) => {
			log += d;
			if (log.includes('Server is ready')) {
				clearTimeout(timer);
				res();
			}
		});
	});
	return {
		url: `nats://127.0.0.1:${port}`,
		monitorUrl: `http://127.0.0.1:${monitor}`,
		async stop() {
			proc.kill('SIGTERM');
			await new Promise((r) => proc.once('exit', r));
			rmSync(dir, { recursive: true, force: true });
		},
	};
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Runs `fn` `runs` times and returns the median of what it returns. */
async function medianOf(runs, fn) {
	const results = [];
	for (let i = 0; i < runs; i++) results.push(await fn(i));
	return median(results);
}

/**
 * Medians of several contenders measured in turns (A, B, C, A, B, C…), so drift over the run favours
 * none, after one untimed round that warms up the JIT and the connection of each.
 */
async function medianInTurns(runs, fns) {
	return (await inTurns(runs, fns)).map((r) => r.median);
}

/**
 * Like medianInTurns, with every run kept: [{ median, min, max, runs }] per contender. Each round
 * starts with the next contender (A B C, B C A, C A B…), so none is always first after a purge.
 */
async function inTurns(runs, fns) {
	for (const fn of fns) await fn(-1);
	const results = fns.map(() => []);
	for (let i = 0; i < runs; i++) {
		for (let k = 0; k < fns.length; k++) {
			const f = (i + k) % fns.length;
			results[f][i] = await fns[f](i);
		}
		// BENCH_VERBOSE=1: every run's figures (and the ratio of the first two), for the spread.
		if (process.env.BENCH_VERBOSE) console.error(`run ${i}: ${results.map((r) => Math.round(r[i])).join(' / ')} (${(results[0][i] / results[1][i]).toFixed(2)}×)`);
	}
	return results.map((r) => ({ median: median(r), min: Math.min(...r), max: Math.max(...r), runs: r }));
}

/** "0.87× (0.80–0.95)": the ratio of the medians, and the spread of the per-run ratios (same round). */
function ratioCell(a, b) {
	const per = a.runs.map((x, i) => x / b.runs[i]);
	return `${(a.median / b.median).toFixed(2)}× (${Math.min(...per).toFixed(2)}–${Math.max(...per).toFixed(2)})`;
}

/** "29,226 msg/s (25,100–31,000)": median and min–max of the runs. */
const rateCell = (r, unit = 'msg/s') => `${fmt(r.median)} ${unit} (${fmt(r.min)}–${fmt(r.max)})`;

const logger = { error() {}, warn() {}, info() {}, debug() {} };

/** Enough of IExecuteFunctions to run the JetStream node as n8n does. */
function executeContext(params, items, credentials) {
	return {
		getInputData: () => items,
		getNodeParameter: (name, i, fallback) => {
			const [root, ...rest] = name.split('.');
			let v = root in params ? params[root] : fallback;
			if (typeof v === 'function') v = v(i);
			for (const k of rest) v = v == null ? undefined : v[k];
			return v === undefined ? fallback : v;
		},
		getNode: () => ({ id: 'bench', name: 'JetStream', type: 'jetStream', typeVersion: 1, position: [0, 0], parameters: {} }),
		getCredentials: async () => credentials,
		continueOnFail: () => false,
		getWorkflow: () => ({ id: 'bench', name: 'bench', active: false }),
		getExecutionId: () => 'bench',
		getInstanceId: () => 'bench-instance',
		logger,
		helpers: {},
	};
}

function deferred() {
	let resolve;
	let reject;
	const promise = new Promise((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

/** Enough of ITriggerFunctions: every emission "succeeds" at once and is reported to `onEmit`. */
function triggerContext(params, credentials, onEmit) {
	return {
		emit: (data, _response, done) => {
			onEmit(data[0]);
			done?.resolve({ data: { resultData: { runData: {} } }, status: 'success' });
		},
		emitError: (e) => console.error('emitError', e.message),
		saveFailedExecution: () => undefined,
		getNodeParameter: (name, fallback) => (name in params ? params[name] : fallback),
		getCredentials: async () => credentials,
		getMode: () => 'trigger',
		getActivationMode: () => 'activate',
		getNode: () => ({ id: 'bench', name: 'JetStream Trigger', type: 'jetStreamTrigger', typeVersion: 1, position: [0, 0], parameters: {} }),
		getWorkflow: () => ({ id: 'bench', name: 'bench', active: true }),
		logger,
		helpers: { createDeferredPromise: deferred, prepareBinaryData: async (b) => ({ data: b.toString('base64') }) },
	};
}

function table(title, rows, against = 'raw NATS.js') {
	console.log(`\n## ${title}\n`);
	console.log(`| case | ours | ${against} | ratio |`);
	console.log('| --- | ---: | ---: | ---: |');
	for (const r of rows) console.log(`| ${r.name} | ${r.ours} | ${r.raw} | ${r.ratio} |`);
	// The machine is shared: the load while the table was measured says how much the figures may be disturbed.
	console.log(`\n_load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')} (${require('node:os').cpus().length} cores)_`);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

module.exports = { ROOT, ensureBuilt, dist, serverBin, serverVersion, startServer, medianOf, medianInTurns, inTurns, ratioCell, rateCell, median, percentile, executeContext, triggerContext, table, fmt, deferred };
