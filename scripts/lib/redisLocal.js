'use strict';
/** Redis for n8n's queue mode: Debian's redis-server on a free loopback port, nothing kept on disk. */
const { spawn, spawnSync } = require('node:child_process');

const { freePort } = require('./natsLocal');

function requireRedis() {
	if (spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0) return;
	const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : [];
	const [command, ...args] = [...sudo, 'apt-get', 'install', '-y', 'redis-server'];
	process.stdout.write('[redis] Installing redis-server (apt-get)…\n');
	spawnSync(command, args, { stdio: 'inherit' });
	if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server is missing: sudo apt-get install -y redis-server');
}

async function startRedis() {
	requireRedis();
	const port = await freePort(0);
	const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
	let log = '';
	await new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${log}`)), 10_000);
		proc.stdout.on('data', (d) => {
			log += d;
			if (log.includes('Ready to accept connections')) {
				clearTimeout(timer);
				resolve();
			}
		});
		proc.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${log}`)));
	});
	return {
		port,
		async stop() {
			if (proc.exitCode !== null) return;
			const exited = new Promise((r) => proc.once('exit', r));
			proc.kill('SIGTERM');
			await exited;
		},
	};
}

module.exports = { startRedis };
