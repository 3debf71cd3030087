'use strict';
/**
 * node bench/idempotencyCeiling.js [runs] — why Skip Duplicates cannot reach 0.5× raw consume + ack here
 * (bench/RESULTS.md, issue 26). Raw NATS.js only, 64 messages at once, fresh 20 000-message backlog per run:
 * consume + ack; consume + ONE confirmed KV write + ack (the floor of any design that records a key durably);
 * consume + the two writes the guard needs; the same two writes as atomic batches of 64 (2.12+). CPU seconds of
 * the client and of nats-server per 1 000 messages tell which side is the bound.
 */
const { readFileSync } = require('node:fs');
const { execSync } = require('node:child_process');
const h = require('./lib/harness');
const { connect, headers } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const { Kvm } = require('@nats-io/kv');

const COUNT = 20_000;
const AT_ONCE = 64;
const serverCpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
const clientCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

async function fill(js, subject) {
	const body = 'x'.repeat(100); let pending = 0; let wake;
	for (let i = 0; i < COUNT; i++) {
		while (pending >= 512) await new Promise((r) => (wake = r));
		pending++;
		js.publish(subject, JSON.stringify({ orderId: `o-${i}-${Math.random().toString(36).slice(2)}`, body })).then(() => { pending--; if (wake) { const w = wake; wake = undefined; w(); } });
	}
	while (pending > 0) await new Promise((r) => (wake = r));
}

/** Consumes the backlog, `work(message)` at most AT_ONCE at a time, then acks. */
async function drain(js, stream, work) {
	const c = await js.consumers.get(stream, 'd');
	const ms = await c.consume({ max_messages: 512 });
	let done = 0, running = 0, finish, wake;
	const all = new Promise((r) => (finish = r));
	(async () => { for await (const m of ms) {
		while (running >= AT_ONCE) await new Promise((r) => (wake = r));
		running++;
		work(m).then(() => { m.ack(); running--; if (wake) { const w = wake; wake = undefined; w(); } if (++done === COUNT) finish(); }, (e) => { console.error(e); process.exit(1); });
	} })();
	await all; ms.stop();
}

function kvHeaders(expect) { const hd = headers(); hd.set('Nats-Expected-Last-Subject-Sequence', String(expect)); return hd; }

/** Writes [key, value, expectedRevision] as one atomic batch; returns the revisions in order. */
async function atomicWrite(nc, js, bucket, items) {
	const subj = (k) => `$KV.${bucket}.${k}`;
	const [first, ...rest] = items; const last = rest.pop();
	const b = await js.startBatch(subj(first[0]), first[1], { headers: kvHeaders(first[2]) });
	for (const it of rest) b.add(subj(it[0]), it[1], { headers: kvHeaders(it[2]) });
	const hd = kvHeaders(last[2]); hd.set('Nats-Batch-Id', b.id); hd.set('Nats-Batch-Sequence', String(b.count + 1)); hd.set('Nats-Batch-Commit', '1');
	const a = (await nc.request(subj(last[0]), last[1], { headers: hd, timeout: 10_000 })).json();
	if (a.error) throw new Error(a.error.description);
	return items.map((_i, n) => a.seq - (items.length - 1 - n));
}

/** Groups messages as they come (up to 64) and writes claims, then records, as atomic batches. */
function batcher(nc, js, bucket) {
	let queue = []; let busy = 0;
	const flush = async () => {
		if (busy >= 4 || queue.length === 0) return; busy++;
		const group = queue.splice(0, AT_ONCE);
		try {
			const keys = group.map((g) => g.key);
			const one = keys.length === 1;
			const revs = one ? [await js.publish(`$KV.${bucket}.${keys[0]}`, '{"state":"in-progress"}', { headers: kvHeaders(0) }).then((a) => a.seq)] : await atomicWrite(nc, js, bucket, keys.map((k) => [k, '{"state":"in-progress"}', 0]));
			if (one) await js.publish(`$KV.${bucket}.${keys[0]}`, '{"state":"processed"}', { headers: kvHeaders(revs[0]) });
			else await atomicWrite(nc, js, bucket, keys.map((k, i) => [k, '{"state":"processed"}', revs[i]]));
			for (const g of group) g.resolve();
		} finally { busy--; flush(); }
		flush();
	};
	return (m) => new Promise((resolve) => { queue.push({ key: m.json().orderId, resolve }); flush(); });
}

(async () => {
	const runs = Number(process.argv[2] || 3);
	const server = await h.startServer();
	const pid = Number(execSync(`pgrep -P ${process.pid} nats-server`).toString().trim());
	const version = (await (await fetch(`${server.monitorUrl}/varz`)).json()).version;
	const nc = await connect({ servers: server.url, noAsyncTraces: true });
	const jsm = await jetstreamManager(nc); const js = jetstream(nc); const kvm = new Kvm(nc);
	const atomic = Number(version.split('.')[1]) >= 12;
	let round = 0;
	const contenders = {
		'consume + ack': async () => {},
		'+ 1 KV write (create)': async (kv) => { await kv.create(`k${Math.random().toString(36).slice(2)}`, '{"state":"processed"}'); },
		'+ 2 KV writes (create, update)': async (kv, m) => { const k = m.json().orderId; const r = await kv.create(k, '{"state":"in-progress"}'); await kv.update(k, '{"state":"processed"}', r); },
		...(atomic ? { '+ 2 writes as atomic batches of ≤ 64': 'batch' } : {}),
	};
	const res = Object.fromEntries(Object.keys(contenders).map((n) => [n, []]));
	for (let r = -1; r < runs; r++) for (const [name, work] of Object.entries(contenders)) {
		const s = `C${round++}`;
		await jsm.streams.add({ name: s, subjects: [`${s.toLowerCase()}.>`], storage: 'memory' });
		await jsm.consumers.add(s, { durable_name: 'd', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
		await fill(js, `${s.toLowerCase()}.x`);
		const kv = await kvm.create(`ceil_${s}`, { history: 1, ttl: 7 * 86400000 });
		if (work === 'batch') { const si = await jsm.streams.info(`KV_ceil_${s}`); await jsm.streams.update(`KV_ceil_${s}`, { ...si.config, allow_atomic: true }); }
		const fn = work === 'batch' ? batcher(nc, js, `ceil_${s}`) : (m) => work(kv, m);
		const [c0, s0, t0] = [clientCpu(), serverCpu(pid), process.hrtime.bigint()];
		await drain(js, s, fn);
		const secs = Number(process.hrtime.bigint() - t0) / 1e9;
		if (r >= 0) res[name].push({ rate: COUNT / secs, client: ((clientCpu() - c0) / COUNT) * 1000, server: ((serverCpu(pid) - s0) / COUNT) * 1000 });
		await jsm.streams.delete(s); await kv.destroy();
	}
	const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
	const base = res['consume + ack'];
	console.log(`\n## What a durable key costs: raw NATS.js, nats-server ${version}, ${COUNT} messages of 128 B, ${AT_ONCE} at once (median of ${runs})\n`);
	console.log('| raw NATS.js | msg/s | × consume + ack (per run, median; spread) | CPU s per 1 000 msgs: client / server |\n| --- | ---: | ---: | ---: |');
	for (const [name, xs] of Object.entries(res)) {
		const ratios = xs.map((x, i) => x.rate / base[i].rate);
		console.log(`| ${name} | ${Math.round(med(xs.map((x) => x.rate)))} | ${med(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) | ${med(xs.map((x) => x.client)).toFixed(3)} / ${med(xs.map((x) => x.server)).toFixed(3)} |`);
	}
	console.log(`\nload average: ${require('node:os').loadavg().map((l) => l.toFixed(1)).join(' ')}`);
	await nc.close(); await server.stop(); process.exit(0);
})();
