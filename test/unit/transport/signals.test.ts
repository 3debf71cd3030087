/** n8n handles SIGTERM itself and waits for executions: loading the package must not add handlers. */
describe('process signals', () => {
	it('loading the nodes and the connection pool adds no SIGTERM or SIGINT listener', () => {
		const before = [process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')];
		jest.isolateModules(() => {
			// Loaded here, not imported at the top, so the count above is taken before the modules run.
			/* eslint-disable @typescript-eslint/no-require-imports */
			require('../../../nodes/shared/transport/pool');
			require('../../../nodes/JetStream/JetStream.node');
			require('../../../nodes/JetStreamTrigger/JetStreamTrigger.node');
			require('../../../nodes/NatsRequestTrigger/NatsRequestTrigger.node');
			/* eslint-enable @typescript-eslint/no-require-imports */
		});
		expect([process.listenerCount('SIGTERM'), process.listenerCount('SIGINT')]).toEqual(before);
	});
});
