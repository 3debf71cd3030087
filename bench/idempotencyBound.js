'use strict';
/**
 * node bench/idempotencyBound.js [runs] — what bounds Skip Duplicates' throughput (bench/RESULTS.md, 2026-12-07).
 */
// What bounds the idempotent path: raw consume()+ack() vs the raw client doing the same two KV writes per message
// (create, then update at its revision, then ack; 64 messages at once) vs the node. Fresh backlog per run, in turns.
const h = require('./lib/harness');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager, AckPolicy } = require('@nats-io/jetstream');
const { Kvm } = require('@nats-io/kv');
h.ensureBuilt();
const New = h.dist('nodes/JetStreamTrigger/JetStreamTrigger.node.js').JetStreamTrigger;
async function fill(js, subject, count) { const body = 'x'.repeat(128); const f = new Set();
  for (let i = 0; i < count; i++) { if (f.size >= 512) await Promise.race(f); const d = js.publish(subject, JSON.stringify({ orderId: `o-${i}`, body })).then(() => f.delete(d)); f.add(d); } await Promise.all(f); }
async function raw(js, stream, count) { const c = await js.consumers.get(stream, 'd'); const t = process.hrtime.bigint();
  const ms = await c.consume({ max_messages: 512 }); let n = 0; for await (const m of ms) { m.ack(); if (++n === count) break; }
  return count / (Number(process.hrtime.bigint() - t) / 1e9); }
async function rawKv(nc, js, stream, count) {
  const kv = await new Kvm(nc).create(`raw_${stream}`, { history: 1, ttl: 7 * 86400000 });
  const c = await js.consumers.get(stream, 'd'); const t = process.hrtime.bigint();
  const ms = await c.consume({ max_messages: 512 }); let n = 0, inFlight = 0, done; const all = new Promise((r) => (done = r));
  let wake; 
  const loop = (async () => { for await (const m of ms) {
    while (inFlight >= 64) await new Promise((r) => (wake = r));
    inFlight++;
    (async () => { const k = m.json().orderId; const rev = await kv.create(k, '{"state":"in-progress"}'); await kv.update(k, '{"state":"processed"}', rev); m.ack(); inFlight--; if (wake) { const w = wake; wake = undefined; w(); } if (++n === count) done(); })();
  } })();
  await all; ms.stop(); await loop.catch(() => 0); const rate = count / (Number(process.hrtime.bigint() - t) / 1e9); await kv.destroy(); return rate;
}
async function ours(url, stream, count) { let n = 0, finish; const finished = new Promise((r) => (finish = r));
  const params = { stream, consumerMode: 'bind', durableName: 'd', ackMode: 'executionSucceeds', deadLetter: false, idempotency: 'payloadField', idempotencyField: 'orderId', options: { parallelExecutions: 64 } };
  const ctx = h.triggerContext(params, { servers: url, authType: 'none' }, (items) => { n += items.length; if (n >= count) finish(); });
  const r = await new New().trigger.call(ctx); const t = process.hrtime.bigint(); await finished;
  const rate = count / (Number(process.hrtime.bigint() - t) / 1e9); await r.closeFunction(); return rate; }
(async () => {
  const server = await h.startServer(); const nc = await connect({ servers: server.url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc); const js = jetstream(nc); const count = 10000, runs = Number(process.argv[2] || 5); let round = 0;
  const fresh = (fn) => async () => { const s = `B${round++}_${Math.random().toString(36).slice(2, 7)}`.toUpperCase();
    await jsm.streams.add({ name: s, subjects: [`${s.toLowerCase()}.>`], storage: 'memory' });
    await jsm.consumers.add(s, { durable_name: 'd', ack_policy: AckPolicy.Explicit, max_ack_pending: 10_000 });
    await fill(js, `${s.toLowerCase()}.x`, count); try { return await fn(s); } finally { await jsm.streams.delete(s); await jsm.streams.delete(`KV_n8n_processed_${s}_d`).catch(() => 0); } };
  const fns = [fresh((s) => raw(js, s, count)), fresh((s) => rawKv(nc, js, s, count)), fresh((s) => ours(server.url, s, count))];
  for (const f of fns) await f();
  const res = [[], [], []];
  for (let i = 0; i < runs; i++) { for (let f = 0; f < 3; f++) res[f].push(await fns[f]());
    console.log(`run ${i}: raw ${Math.round(res[0][i])}, raw+2 KV writes ${Math.round(res[1][i])} (${(res[1][i] / res[0][i]).toFixed(2)}×), node ${Math.round(res[2][i])} (${(res[2][i] / res[0][i]).toFixed(2)}×, ${(res[2][i] / res[1][i]).toFixed(2)}× of raw+KV)`); }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`medians: raw ${Math.round(med(res[0]))}, raw+KV ${Math.round(med(res[1]))}, node ${Math.round(med(res[2]))}; ratios per run, median: raw+KV/raw ${med(res[1].map((v, i) => v / res[0][i])).toFixed(2)}×, node/raw ${med(res[2].map((v, i) => v / res[0][i])).toFixed(2)}×, node/raw+KV ${med(res[2].map((v, i) => v / res[1][i])).toFixed(2)}×`);
  await nc.close(); await server.stop(); process.exit(0);
})();
