import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort, jetStreamBlock, requireNatsServerBinary } from './natsServer';

/**
 * A three-node JetStream cluster on loopback: three nats-server processes with routes on 127.0.0.1,
 * each its own store dir and monitoring port (for /jsz: who leads the meta group). Nodes can be
 * killed and started again on the same ports with the same store, like a crashed and restarted pod.
 */

export interface ClusterNode {
	readonly name: string;
	readonly port: number;
	readonly monitorPort: number;
	readonly running: boolean;
	stop(signal?: NodeJS.Signals): Promise<void>;
	start(): Promise<void>;
}

export interface NatsCluster {
	readonly nodes: ClusterNode[];
	/** "nats://127.0.0.1:a,nats://127.0.0.1:b,nats://127.0.0.1:c": how a credential lists them. */
	readonly servers: string;
	readonly urls: string[];
	node(name: string): ClusterNode;
	/** The node leading JetStream's meta group (asks a running node's /jsz). */
	metaLeader(): Promise<string>;
	cleanup(): Promise<void>;
}

const BINARY = process.env.NATS_SERVER_BIN ?? 'nats-server';
const READY_MS = 15_000;

async function ready(child: ChildProcess, output: () => string, name: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`cluster node ${name} not ready in ${READY_MS} ms:\n${output()}`)), READY_MS);
		const check = () => {
			if (!output().includes('Server is ready')) return;
			clearTimeout(timer);
			child.stderr?.off('data', check);
			resolve();
		};
		child.stderr?.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`cluster node ${name} exited with ${code}:\n${output()}`));
		});
	});
}

export async function startNatsCluster(size = 3, label = 'cluster'): Promise<NatsCluster> {
	requireNatsServerBinary();
	const dir = mkdtempSync(join(tmpdir(), `n8n-jetstream-${label}-`));
	const specs = await Promise.all(
		Array.from({ length: size }, async (_, i) => ({ name: `n${i + 1}`, port: await freePort(), routePort: await freePort(), monitorPort: await freePort() })),
	);
	const routes = specs.map((s) => `nats-route://127.0.0.1:${s.routePort}`).join(', ');
	const nodes = specs.map((spec) => {
		const conf = join(dir, `${spec.name}.conf`);
		writeFileSync(
			conf,
			[
				`server_name: ${spec.name}`,
				`listen: 127.0.0.1:${spec.port}`,
				`http: 127.0.0.1:${spec.monitorPort}`,
				jetStreamBlock(join(dir, spec.name)),
				`cluster { name: ${label}, listen: 127.0.0.1:${spec.routePort}, routes: [${routes}] }`,
			].join('\n') + '\n',
		);
		let child: ChildProcess | undefined;
		let output = '';
		const node: ClusterNode = {
			name: spec.name,
			port: spec.port,
			monitorPort: spec.monitorPort,
			get running() {
				return !!child && child.exitCode === null && child.signalCode === null;
			},
			async start() {
				output = '';
				const proc = spawn(BINARY, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
				child = proc;
				proc.stderr?.setEncoding('utf8');
				proc.stderr?.on('data', (chunk: string) => (output += chunk));
				await ready(proc, () => output, spec.name);
			},
			async stop(signal: NodeJS.Signals = 'SIGTERM') {
				const proc = child;
				child = undefined;
				if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
				const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
				proc.kill(signal);
				const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
				await exited;
				clearTimeout(timer);
			},
		};
		return node;
	});
	await Promise.all(nodes.map((n) => n.start()));
	const urls = nodes.map((n) => `nats://127.0.0.1:${n.port}`);
	const cluster: NatsCluster = {
		nodes,
		urls,
		servers: urls.join(','),
		node: (name) => {
			const found = nodes.find((n) => n.name === name);
			if (!found) throw new Error(`no cluster node "${name}"`);
			return found;
		},
		async metaLeader() {
			for (const n of nodes.filter((x) => x.running)) {
				const jsz = await fetch(`http://127.0.0.1:${n.monitorPort}/jsz`).then((r) => r.json() as Promise<{ meta_cluster?: { leader?: string } }>).catch(() => undefined);
				if (jsz?.meta_cluster?.leader) return jsz.meta_cluster.leader;
			}
			throw new Error('no node knows a meta leader');
		},
		async cleanup() {
			await Promise.all(nodes.map((n) => n.stop()));
			rmSync(dir, { recursive: true, force: true });
		},
	};
	return cluster;
}
