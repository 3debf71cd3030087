import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { INodeExecutionData } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute, type ParamValue } from '../../helpers/fakeExecute';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { expectOperationOutput } from '../../helpers/outputSchemas';

/**
 * Runs operations of the JetStream node against a real nats-server and checks what they output
 * against the operation's closed output schema: a schema that drifts from the code fails here.
 * One server per file; a unique stream (subjects `<stream lower case>.>`) per test; whatever a test
 * made besides is removed after it through `later`.
 */

export interface SchemaSuite {
	readonly server: NatsServer;
	readonly nc: NatsConnection;
	readonly js: JetStreamClient;
	readonly jsm: JetStreamManager;
	readonly stream: string;
	/** Subject prefix of the test's stream, with its dot. */
	readonly prefix: string;
	/** Runs `resource → operation` and returns its items. */
	run(resource: string, operation: string, params?: Record<string, ParamValue>, items?: INodeExecutionData[]): Promise<INodeExecutionData[]>;
	/** Runs it and expects every item to match the operation's schema; returns the items' JSON. */
	check(resource: string, operation: string, params?: Record<string, ParamValue>, items?: INodeExecutionData[]): Promise<Array<Record<string, unknown>>>;
	/** Clean-up to run after the current test. */
	later(step: () => Promise<unknown>): void;
}

export function schemaSuite(label: string): SchemaSuite {
	let server: NatsServer | undefined;
	let nc: NatsConnection | undefined;
	let jsm: JetStreamManager | undefined;
	let stream = '';
	let cleanups: Array<() => Promise<unknown>> = [];
	const node = new JetStream();
	const need = <T>(v: T | undefined): T => {
		if (v === undefined) throw new Error('only available inside a test');
		return v;
	};
	beforeAll(async () => {
		server = await startNatsServer({ label });
		nc = await connect({ servers: server.url, name: 'schema-test-side' });
		jsm = await jetstreamManager(nc);
	});
	afterAll(async () => {
		await connectionPool.closeAll();
		await nc?.close();
		await server?.cleanup();
	});
	beforeEach(async () => {
		stream = uniqueName('OUT');
		await need(jsm).streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
	});
	afterEach(async () => {
		for (const step of cleanups.reverse()) await step().catch(() => undefined);
		cleanups = [];
		await need(jsm).streams.delete(stream).catch(() => false);
	});
	const run: SchemaSuite['run'] = async (resource, operation, params = {}, items = [{ json: {} }]) => {
		const { context } = fakeExecute({
			params: { resource, operation, ...params },
			items,
			credentials: { servers: need(server).url, authType: 'none' },
		});
		const [out] = await node.execute.call(context);
		return out;
	};
	return {
		get server() {
			return need(server);
		},
		get nc() {
			return need(nc);
		},
		get js() {
			return jetstream(need(nc));
		},
		get jsm() {
			return need(jsm);
		},
		get stream() {
			return stream;
		},
		get prefix() {
			return `${stream.toLowerCase()}.`;
		},
		run,
		async check(resource, operation, params = {}, items = [{ json: {} }]) {
			const out = await run(resource, operation, params, items);
			expectOperationOutput(resource, operation, out);
			return out.map((item) => item.json);
		},
		later(step) {
			cleanups.push(step);
		},
	};
}
