'use strict';
/** A nats-server with JetStream on loopback, its store in `storeDir`. */
const { spawn } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { createConnection, createServer } = require('node:net');
const { join } = require('node:path');

const { versionOf, compareVersions } = require('./natsServers');

function freePort(preferred = 0) {
	return new Promise((resolve) => {
		const s = createServer();
		s.once('error', () => resolve(freePort(0)));
		s.listen(preferred, '127.0.0.1', () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

/**
 * What listens on a loopback port: undefined when nothing does, else a description ("a NATS server
 * 2.10.4 with JetStream", "something that is not a NATS server"). A NATS server greets with INFO.
 */
function describePort(port) {
	return new Promise((resolve) => {
		const socket = createConnection({ host: '127.0.0.1', port });
		let greeting = '';
		const done = (what) => {
			socket.destroy();
			resolve(what);
		};
		socket.setTimeout(1_000, () => done(greeting ? 'something that is not a NATS server' : 'a program that does not greet like a NATS server'));
		socket.on('error', (error) => done(error.code === 'ECONNREFUSED' ? undefined : `something unreachable (${error.code})`));
		socket.on('data', (chunk) => {
			greeting += chunk;
			if (!greeting.includes('\n')) return;
			const info = /^INFO\s+(\{.*\})/.exec(greeting);
			if (!info) return done('something that is not a NATS server');
			const parsed = JSON.parse(info[1]);
			done(`a NATS server ${parsed.version ?? ''}${parsed.jetstream ? ' with JetStream' : ' without JetStream'}`.replace('  ', ' '));
		});
	});
}

/**
 * A nats-server with JetStream; `bin` defaults to NATS_SERVER_BIN, then the one on the PATH. `config`:
 * more configuration (users, accounts), which `reload(config)` replaces as an admin would (SIGHUP).
 */
async function startNats({ dir, port = 0, bin = process.env.NATS_SERVER_BIN || 'nats-server', config = '' }) {
	mkdirSync(dir, { recursive: true });
	const actual = port === 0 ? await freePort(0) : port;
	const conf = join(dir, 'nats.conf');
	const version = versionOf(bin) ?? '0.0.0';
	// Writes on disk before they are confirmed (2.10+), as the README advises for production.
	const sync = compareVersions(version, '2.10.0') >= 0 ? ', sync_interval: always' : '';
	const write = (extra) => writeFileSync(conf, `listen: 127.0.0.1:${actual}\njetstream { store_dir: "${join(dir, 'store')}"${sync} }\n${extra}\n`);
	write(config);
	let proc;
	let log = '';
	const launch = () =>
		new Promise((resolve, reject) => {
			proc = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
			const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${log}`)), 10_000);
			proc.stderr.on('data', (d) => {
				log += d;
				if (String(d).includes('Server is ready')) {
					clearTimeout(timer);
					resolve();
				}
			});
			proc.once('exit', (code) => code && reject(new Error(`nats-server exited with ${code}:\n${log}`)));
		});
	await launch();
	const stop = async (signal = 'SIGTERM') => {
		if (!proc || proc.exitCode !== null) return;
		const exited = new Promise((r) => proc.once('exit', r));
		proc.kill(signal);
		await exited;
	};
	return {
		url: `nats://127.0.0.1:${actual}`,
		port: actual,
		version,
		stop,
		/** What the server printed since it last started (a failed e2e scenario shows its tail). */
		get log() {
			return log;
		},
		async restart() {
			await stop();
			log = '';
			await launch();
		},
		/** Replaces the extra configuration and reloads it; resolves once the server logged the reload. */
		async reload(extra) {
			write(extra);
			const before = (log.match(/Reloaded server configuration/g) ?? []).length;
			proc.kill('SIGHUP');
			const deadline = Date.now() + 10_000;
			while ((log.match(/Reloaded server configuration/g) ?? []).length === before) {
				if (Date.now() > deadline) throw new Error(`nats-server did not reload its configuration:\n${log}`);
				await new Promise((r) => setTimeout(r, 50));
			}
		},
	};
}

module.exports = { startNats, freePort, describePort };
