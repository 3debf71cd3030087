'use strict';
/**
 * Publishes a backlog from a process of its own, so the process being measured does not carry the
 * heap that publishing a million messages grows: `node bench/lib/fill.js <url> <subject> <count> <bodyJson>`.
 */
const { connect } = require('@nats-io/transport-node');
const { jetstream } = require('@nats-io/jetstream');

async function main() {
	const [url, subject, count, body] = process.argv.slice(2);
	const nc = await connect({ servers: url, noAsyncTraces: true });
	const js = jetstream(nc);
	const inFlight = new Set();
	for (let i = 0; i < Number(count); i++) {
		if (inFlight.size >= 1024) await Promise.race(inFlight);
		const p = js.publish(subject, body).then(() => inFlight.delete(p));
		inFlight.add(p);
	}
	await Promise.all(inFlight);
	await nc.close();
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
