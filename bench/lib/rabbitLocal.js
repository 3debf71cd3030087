'use strict';
/**
 * A RabbitMQ broker of its own for the peers benchmark: Debian's rabbitmq-server (installed with
 * apt-get when missing; the system service its package may start is stopped), on free loopback
 * ports, with its node name, database, logs, cookie and epmd port in a temp folder — nothing shared
 * with a broker the machine may already run. The AMQP client is amqplib as n8n 2.41.1 ships it.
 */
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const { freePort } = require('../../scripts/lib/natsLocal');

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const say = (message) => process.stdout.write(`[rabbitmq] ${message}\n`);

/** A command as root (sudo when not root); its exit status. */
function asRoot(command, args, options = {}) {
	const sudo = process.getuid && process.getuid() !== 0;
	return spawnSync(sudo ? 'sudo' : command, sudo ? [command, ...args] : args, options).status;
}

/** apt-get install rabbitmq-server when missing, then stop the system broker its package may have started. */
function ensureRabbit() {
	if (existsSync(SERVER)) return;
	say('Installing rabbitmq-server (apt-get)…');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const status = asRoot('apt-get', ['install', '-y', '--no-install-recommends', 'rabbitmq-server'], { stdio: 'inherit', env });
	if (status !== 0 || !existsSync(SERVER)) throw new Error('rabbitmq-server is missing: apt-get install -y rabbitmq-server');
	// Either may be absent (no systemd in a container): the broker this benchmark uses is its own.
	asRoot('systemctl', ['stop', 'rabbitmq-server'], { stdio: 'ignore' });
	asRoot('service', ['rabbitmq-server', 'stop'], { stdio: 'ignore' });
}

/** amqplib from n8n's own node_modules (what its RabbitMQ nodes use): no dependency of ours. */
function amqplibOf(n8nDir) {
	return require(join(n8nDir, 'node_modules', 'amqplib'));
}

function versions() {
	const pkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'rabbitmq-server'], { encoding: 'utf8' }).stdout.trim();
	const otp = readFileSync('/usr/lib/erlang/releases/25/OTP_VERSION', 'utf8').trim();
	return { rabbitmqPackage: pkg, erlang: `OTP ${otp}` };
}

async function connectWhenReady(amqplib, url, proc, logOf) {
	const deadline = Date.now() + 90_000;
	for (;;) {
		if (proc.exitCode !== null) throw new Error(`rabbitmq-server exited with ${proc.exitCode}:\n${logOf().slice(-3000)}`);
		try {
			return await amqplib.connect(url);
		} catch (error) {
			if (Date.now() > deadline) throw new Error(`rabbitmq-server did not accept AMQP in 90 s (${error.message}):\n${logOf().slice(-3000)}`);
			await new Promise((r) => setTimeout(r, 500));
		}
	}
}

/** Starts the broker; resolves once it accepts AMQP connections. `stop()` ends it and its epmd. */
async function startRabbit({ dir, n8nDir }) {
	ensureRabbit();
	mkdirSync(dir, { recursive: true });
	const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
	writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
	writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.default = 127.0.0.1:${port}\n`);
	const env = {
		...process.env,
		HOME: dir, // the Erlang cookie
		RABBITMQ_NODENAME: `peers${port}@localhost`,
		RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
		RABBITMQ_NODE_PORT: String(port),
		RABBITMQ_DIST_PORT: String(distPort),
		ERL_EPMD_PORT: String(epmdPort),
		ERL_EPMD_ADDRESS: '127.0.0.1',
		RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
		RABBITMQ_LOG_BASE: join(dir, 'log'),
		RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
		RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
		RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
		RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
		RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
	};
	let log = '';
	// Its own process group: the script starts beam.smp under it, and a signal to the group ends both.
	const proc = spawn(SERVER, [], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	proc.stdout.on('data', (d) => (log += d));
	proc.stderr.on('data', (d) => (log += d));
	const url = `amqp://guest:guest@127.0.0.1:${port}`;
	const amqplib = amqplibOf(n8nDir);
	const stop = async () => {
		if (proc.exitCode === null && proc.signalCode === null) {
			const exited = new Promise((r) => proc.once('exit', r));
			process.kill(-proc.pid, 'SIGTERM');
			const timer = setTimeout(() => process.kill(-proc.pid, 'SIGKILL'), 30_000);
			await exited;
			clearTimeout(timer);
		}
		spawnSync('epmd', ['-kill'], { env, stdio: 'ignore' });
	};
	try {
		const conn = await connectWhenReady(amqplib, url, proc, () => log);
		const version = conn.connection.serverProperties.version;
		return { url, port, amqplib, conn, version, ...versions(), stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

/** A durable queue (as the trigger's checkQueue expects it) with `count` persistent messages {n}. */
async function fillQueue(conn, queue, count) {
	const ch = await conn.createConfirmChannel();
	await ch.assertQueue(queue, { durable: true });
	await ch.purgeQueue(queue);
	for (let n = 1; n <= count; n++) {
		const ok = ch.sendToQueue(queue, Buffer.from(JSON.stringify({ n })), { persistent: true, contentType: 'application/json' });
		if (!ok) await new Promise((r) => ch.once('drain', r));
	}
	await ch.waitForConfirms();
	await ch.close();
}

/** Ready and unacknowledged messages of a queue (checkQueue counts only the ready ones). */
async function queueDepth(conn, queue) {
	const ch = await conn.createChannel();
	try {
		const info = await ch.checkQueue(queue);
		return { ready: info.messageCount, consumers: info.consumerCount };
	} finally {
		await ch.close();
	}
}

module.exports = { startRabbit, fillQueue, queueDepth, ensureRabbit };
