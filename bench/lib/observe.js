'use strict';
/**
 * What the peers benchmark observes from outside n8n: a collector HTTP server the workflows post to
 * (each attempt before the Code node, each success after it, by message number), and the resident
 * memory of n8n with its child processes (task runners), sampled from /proc.
 */
const { createServer } = require('node:http');
const { readdirSync, readFileSync } = require('node:fs');

/** POST /attempt/<n> and /success/<n>: every call counted per message number, with its time. */
async function startCollector() {
	const attempts = new Map();
	const successes = new Map();
	const times = { firstAttempt: undefined, lastSuccess: undefined };
	const bump = (map, n) => map.set(n, (map.get(n) ?? 0) + 1);
	const server = createServer((req, res) => {
		const match = /^\/(attempt|success)\/(\d+)$/.exec(req.url ?? '');
		req.resume();
		if (!match) {
			res.writeHead(404).end();
			return;
		}
		const n = Number(match[2]);
		if (match[1] === 'attempt') {
			times.firstAttempt ??= Date.now();
			bump(attempts, n);
		} else {
			times.lastSuccess = Date.now();
			bump(successes, n);
		}
		res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return {
		port: server.address().port,
		attempts,
		successes,
		times,
		reset() {
			attempts.clear();
			successes.clear();
			times.firstAttempt = undefined;
			times.lastSuccess = undefined;
		},
		close: () => new Promise((r) => server.close(r)),
	};
}

function rssKiB(pid) {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
	} catch {
		return 0; // the process ended between listing and reading
	}
}

/** Every process whose ancestry leads to `root` (n8n's task runner launcher and runners). */
function familyOf(root) {
	const parents = new Map();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			// The command name may hold spaces and parentheses: the fields after the last ')' are safe.
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parents.set(Number(entry), ppid);
		} catch {
			// gone since readdir
		}
	}
	const family = [root];
	for (let grew = true; grew; ) {
		grew = false;
		for (const [pid, ppid] of parents) {
			if (family.includes(ppid) && !family.includes(pid)) {
				family.push(pid);
				grew = true;
			}
		}
	}
	return family;
}

/** Samples the RSS of `pidOf()`'s process family every `everyMs`; `peak` in MiB, with the biggest single process. */
function sampleRss(pidOf, everyMs = 250) {
	const peak = { totalMiB: 0, mainMiB: 0, processes: 0 };
	const timer = setInterval(() => {
		const pid = pidOf();
		if (!pid) return;
		const family = familyOf(pid);
		const sizes = family.map(rssKiB);
		const total = sizes.reduce((a, b) => a + b, 0) / 1024;
		if (total > peak.totalMiB) Object.assign(peak, { totalMiB: total, mainMiB: sizes[0] / 1024, processes: family.length });
	}, everyMs);
	return { peak, stop: () => clearInterval(timer) };
}

module.exports = { startCollector, sampleRss };
