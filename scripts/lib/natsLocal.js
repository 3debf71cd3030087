'use strict';
/** A nats-server with JetStream on loopback, its store in `storeDir`. */
const { spawn } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { createServer } = require('node:net');
const { join } = require('node:path');

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

async function startNats({ dir, port = 0 }) {
	mkdirSync(dir, { recursive: true });
	const actual = await freePort(port);
	const conf = join(dir, 'nats.conf');
	writeFileSync(conf, `listen: 127.0.0.1:${actual}\njetstream { store_dir: "${join(dir, 'store')}" }\n`);
	let proc;
	let log = '';
	const launch = () =>
		new Promise((resolve, reject) => {
			proc = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
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
		stop,
		async restart() {
			await stop();
			log = '';
			await launch();
		},
	};
}

module.exports = { startNats, freePort };
