import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts a real nats-server (Debian package `nats-server`) on a random loopback port with a
 * temporary store dir. Tests never share a server across files; each test uses its own stream.
 */

export interface NatsServerOptions {
	/** Enable JetStream at server level (default true). */
	jetstream?: boolean;
	/** Extra configuration appended verbatim (accounts, authorization, tls blocks…). */
	config?: string;
	/** Name printed in failure messages. */
	label?: string;
	/** Open the HTTP monitoring port (for /connz, /jsz). */
	monitor?: boolean;
}

export interface NatsServer {
	readonly url: string;
	readonly port: number;
	readonly host: string;
	readonly storeDir: string;
	readonly dir: string;
	/** http://127.0.0.1:port of the monitoring endpoint, when `monitor` was set. */
	readonly monitorUrl?: string;
	/** Graceful stop (SIGTERM) or crash (SIGKILL); the store dir survives until `cleanup`. */
	stop(signal?: NodeJS.Signals): Promise<void>;
	/** Start again on the same port with the same store (messages survive). */
	restart(): Promise<void>;
	/** SIGSTOP: the process stays, its sockets stay open, but it answers nothing (a hung server). */
	freeze(): void;
	/**
	 * Replaces the extra configuration (`options.config`) and reloads it (SIGHUP), as an admin changing
	 * users or passwords does; resolves once the server logged the reload.
	 */
	reload(config: string): Promise<void>;
	/** SIGCONT after `freeze`. */
	thaw(): void;
	/** Stop and delete the temporary directory. */
	cleanup(): Promise<void>;
	/** Server's stderr so far (for diagnosis in failed tests). */
	log(): string;
}

/**
 * Runs a setup step against the server and, when it fails, adds the server's own warnings to the
 * error: the server answers some failures with a bare sentence ("error creating store for stream")
 * and logs the cause only on its side.
 */
export async function withServerLog<T>(server: NatsServer, step: Promise<T>): Promise<T> {
	try {
		return await step;
	} catch (error) {
		// Permission violations are what permission tests provoke on purpose, never a setup's cause.
		const warnings = server.log().split('\n').filter((line) => /\[(WRN|ERR)\]/.test(line) && !/ Violation /.test(line)).slice(-10);
		if (error instanceof Error && warnings.length > 0) error.message += `\nnats-server said:\n${warnings.join('\n')}`;
		throw error;
	}
}

const BINARY = process.env.NATS_SERVER_BIN ?? 'nats-server';
const READY_TIMEOUT_MS = 10_000;

let probedVersion: string | undefined;

/** The version of the server the tests run ("2.15.2"). */
export function serverVersion(): string {
	probedVersion ??= /(\d+\.\d+\.\d+)/.exec(requireNatsServerBinary())?.[1] ?? '0.0.0';
	return probedVersion;
}

/** True when the server under test is at least `version` ("2.10"). */
export function serverAtLeast(version: string): boolean {
	const [a, b] = [serverVersion(), version].map((v) => v.split('.').map(Number));
	for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
	return true;
}

/**
 * JetStream settings of every test server. From 2.10 on, writes reach the disk before they are
 * acknowledged (`sync_interval: always`), as the README advises for production: a SIGKILL then loses
 * nothing the server confirmed. 2.9 has no such setting.
 */
export function jetStreamBlock(storeDir: string): string {
	const sync = serverAtLeast('2.10.0') ? ', sync_interval: always' : '';
	return `jetstream { store_dir: "${storeDir}", max_memory_store: 256MB, max_file_store: 2GB${sync} }`;
}

export function requireNatsServerBinary(): string {
	const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0) {
		throw new Error(
			`nats-server is not installed (tried "${BINARY}"). Install it with "sudo apt-get install -y nats-server" ` +
				'or set NATS_SERVER_BIN to its path; integration tests need a real server and do not skip.',
		);
	}
	return probe.stdout.trim();
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

function configText(port: number, monitorPort: number | undefined, storeDir: string, options: NatsServerOptions): string {
	const lines = [`listen: 127.0.0.1:${port}`, `server_name: test_${port}`, 'max_payload: 1MB'];
	if (monitorPort) lines.push(`http: 127.0.0.1:${monitorPort}`);
	if (options.jetstream !== false) lines.push(jetStreamBlock(storeDir));
	if (options.config) lines.push(options.config);
	return lines.join('\n') + '\n';
}

function waitForReady(child: ChildProcess, output: () => string, label: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			cleanupListeners();
			reject(new Error(`nats-server (${label}) did not become ready in ${READY_TIMEOUT_MS} ms:\n${output()}`));
		}, READY_TIMEOUT_MS);
		const onData = () => {
			if (output().includes('Server is ready')) {
				cleanupListeners();
				resolve();
			}
		};
		const onExit = (code: number | null) => {
			cleanupListeners();
			reject(new Error(`nats-server (${label}) exited with code ${code}:\n${output()}`));
		};
		const cleanupListeners = () => {
			clearTimeout(timer);
			child.stderr?.off('data', onData);
			child.off('exit', onExit);
		};
		child.stderr?.on('data', onData);
		child.once('exit', onExit);
		onData();
	});
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServer> {
	requireNatsServerBinary();
	const label = options.label ?? 'test';
	const dir = mkdtempSync(join(tmpdir(), 'n8n-jetstream-test-'));
	const storeDir = join(dir, 'store');
	const port = await freePort();
	const monitorPort = options.monitor ? await freePort() : undefined;
	const configFile = join(dir, 'nats.conf');
	writeFileSync(configFile, configText(port, monitorPort, storeDir, options));

	let child: ChildProcess | undefined;
	let output = '';

	const launch = async () => {
		output = '';
		const proc = spawn(BINARY, ['-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
		child = proc;
		proc.stderr?.setEncoding('utf8');
		proc.stderr?.on('data', (chunk: string) => {
			output += chunk;
		});
		await waitForReady(proc, () => output, label);
	};

	const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
		const proc = child;
		child = undefined;
		if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
		const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
		proc.kill(signal);
		const timer = setTimeout(() => proc.kill('SIGKILL'), 5_000);
		await exited;
		clearTimeout(timer);
	};

	await launch();
	return {
		url: `nats://127.0.0.1:${port}`,
		port,
		host: '127.0.0.1',
		storeDir,
		dir,
		monitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
		stop,
		restart: async () => {
			await stop();
			await launch();
		},
		freeze: () => child?.kill('SIGSTOP'),
		reload: async (config) => {
			writeFileSync(configFile, configText(port, monitorPort, storeDir, { ...options, config }));
			const before = (output.match(/Reloaded server configuration/g) ?? []).length;
			child?.kill('SIGHUP');
			const deadline = Date.now() + READY_TIMEOUT_MS;
			while ((output.match(/Reloaded server configuration/g) ?? []).length === before) {
				if (Date.now() > deadline) throw new Error(`nats-server (${label}) did not reload its configuration:\n${output}`);
				await new Promise((resolve) => setTimeout(resolve, 20));
			}
		},
		thaw: () => child?.kill('SIGCONT'),
		cleanup: async () => {
			await stop();
			rmSync(dir, { recursive: true, force: true });
		},
		log: () => output,
	};
}

/** Client connections the server sees with this connection name (needs `monitor`). */
export async function countConnections(server: NatsServer, name: string): Promise<number> {
	if (!server.monitorUrl) throw new Error('startNatsServer({ monitor: true }) is needed to count connections');
	const response = await fetch(`${server.monitorUrl}/connz?limit=1024`);
	const body = (await response.json()) as { connections?: Array<{ name?: string }> };
	return (body.connections ?? []).filter((c) => c.name === name).length;
}

/** A name no other test uses: streams, consumers and buckets are unique per test. */
export function uniqueName(prefix = 'T'): string {
	return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`.toUpperCase();
}
