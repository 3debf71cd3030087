'use strict';
/** Connection reuse: 1 000 executions of the JetStream node with one credential. */
const h = require('./lib/harness');

module.exports = async function connectionsBench({ quick }) {
	h.ensureBuilt();
	const { JetStream } = h.dist('nodes/JetStream/JetStream.node.js');
	const { connectionPool } = h.dist('nodes/shared/transport/index.js');
	const { connect } = require('@nats-io/transport-node');
	const { jetstreamManager } = require('@nats-io/jetstream');
	const server = await h.startServer();
	const nc = await connect({ servers: server.url });
	await (await jetstreamManager(nc)).streams.add({ name: 'CONN', subjects: ['conn.>'], storage: 'memory' });
	const executions = quick ? 200 : 1_000;
	try {
		const before = connectionPool.connectionsOpened;
		const node = new JetStream();
		const started = Date.now();
		for (let i = 0; i < executions; i++) {
			const ctx = h.executeContext({ resource: 'message', operation: 'publish', subject: 'conn.x', payloadSource: 'json', publishOptions: {} }, [{ json: { i } }], { servers: server.url, authType: 'none' });
			await node.execute.call(ctx);
		}
		const opened = connectionPool.connectionsOpened - before;
		const connz = await (await fetch(`${server.monitorUrl}/connz`)).json();
		h.table(`Connection reuse: ${executions} executions`, [
			{ name: 'connections opened by the node (target: 1)', ours: String(opened), raw: `${connz.num_connections} open on the server (incl. this bench's own)`, ratio: `${Math.round((executions / (Date.now() - started)) * 1000)} executions/s` },
		]);
	} finally {
		await connectionPool.closeAll();
		await nc.close();
		await server.stop();
	}
};
