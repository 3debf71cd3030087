'use strict';
/**
 * Runs a real n8n 2.x with this package installed the way n8n's community-package installer does
 * (so node types are n8n-nodes-jetstream.*), and talks to it through its REST and public APIs.
 */
const { spawn, spawnSync } = require('node:child_process');
const { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const { freePort } = require('./natsLocal');

const ROOT = resolve(__dirname, '..', '..');
const OWNER = { email: 'owner@example.com', firstName: 'Local', lastName: 'Owner', password: 'Jetstream-Local-1' };

function sh(command, args, cwd) {
	const r = spawnSync(command, args, { cwd, encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
	return r.stdout;
}

/** npm pack → unpack into <userFolder>/.n8n/nodes/node_modules/n8n-nodes-jetstream → install runtime deps. */
function installPackage(userFolder) {
	sh('npm', ['run', 'build', '--silent'], ROOT);
	const packDir = join(userFolder, 'pack');
	rmSync(packDir, { recursive: true, force: true });
	mkdirSync(packDir, { recursive: true });
	sh('npm', ['pack', ROOT, '--silent', '--pack-destination', packDir], ROOT);
	const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
	sh('tar', ['xzf', tarball], packDir);
	const target = join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-jetstream');
	rmSync(target, { recursive: true, force: true });
	mkdirSync(join(target, '..'), { recursive: true });
	cpSync(join(packDir, 'package'), target, { recursive: true });
	const pkg = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8'));
	delete pkg.devDependencies;
	delete pkg.peerDependencies;
	delete pkg.scripts;
	writeFileSync(join(target, 'package.json'), JSON.stringify(pkg, null, 2));
	// Runtime dependencies only; n8n-workflow resolves to n8n's own copy.
	sh('npm', ['install', '--ignore-scripts', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], target);
}

/** The environment every n8n process of one installation shares (database, key, queue). */
function baseEnv(runtime, userFolder, extra) {
	return {
		...process.env,
		PATH: `${join(runtime.node.dir, 'bin')}:${process.env.PATH}`,
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_ENCRYPTION_KEY: 'n8n-nodes-jetstream-local-key',
		DB_TYPE: 'sqlite',
		N8N_DISABLED_MODULES: 'mcp-registry,instance-ai,agents,chat-hub,insights,workflow-builder,agent-evals',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL || 'info',
		...extra,
	};
}

/**
 * Queue mode (main + workers + Redis): what every process needs to find the queue. The stall check
 * is shortened the way the README's Deployment section advises, so a lost worker is noticed in seconds.
 */
function queueEnv(redisPort) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		QUEUE_WORKER_LOCK_DURATION: '10000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
		QUEUE_WORKER_STALLED_INTERVAL: '5000',
	};
}

/** One n8n process: spawned, its output kept, stopped with a signal. */
class N8nProcess {
	constructor(label) {
		this.label = label;
		this.log = '';
	}

	spawn(runtime, args, env) {
		this.proc = spawn(runtime.node.bin, [runtime.n8n.bin, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		this.proc.stdout.on('data', (d) => (this.log += d));
		this.proc.stderr.on('data', (d) => (this.log += d));
	}

	async waitReady(url) {
		const deadline = Date.now() + 120_000;
		while (Date.now() < deadline) {
			if (this.proc.exitCode !== null) throw new Error(`${this.label} exited with ${this.proc.exitCode}:\n${this.log.slice(-3000)}`);
			const ok = await fetch(url).then((r) => r.ok, () => false);
			if (ok) return;
			await new Promise((r) => setTimeout(r, 500));
		}
		throw new Error(`${this.label} did not become ready in 120 s:\n${this.log.slice(-3000)}`);
	}

	/** SIGTERM (n8n's graceful shutdown, bounded by SIGKILL after 40 s) or SIGKILL at once. */
	async stop(signal = 'SIGTERM') {
		if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
		const exited = new Promise((r) => this.proc.once('exit', r));
		this.proc.kill(signal);
		const timer = setTimeout(() => this.proc.kill('SIGKILL'), 40_000);
		await exited;
		clearTimeout(timer);
	}
}

/** `n8n worker`: runs the executions main puts in the queue. */
class N8nWorker extends N8nProcess {
	constructor(runtime, userFolder, redisPort, name) {
		super(`n8n worker ${name}`);
		Object.assign(this, { runtime, userFolder, redisPort, name });
	}

	async start() {
		this.brokerPort ??= await freePort();
		this.healthPort ??= await freePort();
		const env = baseEnv(this.runtime, this.userFolder, {
			...queueEnv(this.redisPort),
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(this.healthPort),
		});
		this.spawn(this.runtime, ['worker', '--concurrency=10'], env);
		await this.waitReady(`http://127.0.0.1:${this.healthPort}/healthz/readiness`);
	}
}

/** `n8n start`: the editor, the public API and the triggers; in queue mode it hands executions to workers. */
class N8n extends N8nProcess {
	constructor(runtime, userFolder, port, { redisPort } = {}) {
		super('n8n');
		Object.assign(this, { runtime, userFolder, port, redisPort, base: `http://127.0.0.1:${port}` });
		this.cookie = '';
		this.apiKey = '';
	}

	get queueMode() {
		return this.redisPort !== undefined;
	}

	async start() {
		this.brokerPort ??= await freePort();
		const env = baseEnv(this.runtime, this.userFolder, {
			...(this.queueMode ? queueEnv(this.redisPort) : {}),
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			// /metrics, where the JetStream Trigger's figures appear (README: Monitoring).
			N8N_METRICS: 'true',
		});
		this.spawn(this.runtime, ['start'], env);
		await this.waitReady(`${this.base}/healthz/readiness`);
	}

	async rest(method, path, body) {
		const res = await fetch(`${this.base}/rest${path}`, {
			method,
			headers: { 'content-type': 'application/json', cookie: this.cookie, 'browser-id': 'e2e' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.get('set-cookie');
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /rest${path}: ${res.status} ${text.slice(0, 500)}`);
		return text ? JSON.parse(text) : undefined;
	}

	async api(method, path, body) {
		const res = await fetch(`${this.base}/api/v1${path}`, {
			method,
			headers: { 'content-type': 'application/json', 'X-N8N-API-KEY': this.apiKey },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${method} /api/v1${path}: ${res.status} ${text.slice(0, 500)}`);
		return text ? JSON.parse(text) : undefined;
	}

	/** Owner account (first start) or login (later starts), then an API key for the public API. */
	async signIn() {
		try {
			await this.rest('POST', '/owner/setup', OWNER);
		} catch (error) {
			if (!/400|already/i.test(String(error.message))) throw error;
			await this.rest('POST', '/login', { emailOrLdapLoginId: OWNER.email, password: OWNER.password });
		}
		if (!this.apiKey) {
			const scopes = ['workflow:create', 'workflow:read', 'workflow:update', 'workflow:delete', 'workflow:list', 'workflow:activate', 'workflow:deactivate', 'execution:read', 'execution:list', 'credential:create'];
			const key = await this.rest('POST', '/api-keys', { label: `e2e-${Date.now()}`, expiresAt: null, scopes });
			this.apiKey = key.data.rawApiKey;
		}
	}
}

module.exports = { installPackage, N8n, N8nWorker, OWNER };
