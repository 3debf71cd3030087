import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute, type LogLine, type ParamValue } from '../../helpers/fakeExecute';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';

/** One nats-server per file, a unique stream per test, and the JetStream node run as n8n runs it. */

export interface MessageSuite {
	readonly server: NatsServer;
	readonly nc: NatsConnection;
	readonly jsm: JetStreamManager;
	/** The current test's stream and its subject prefix (`<stream lower case>.`). */
	readonly stream: string;
	readonly prefix: string;
	run(params: Record<string, ParamValue>, items?: INodeExecutionData[], continueOnFail?: boolean): Promise<{ out: INodeExecutionData[]; logs: LogLine[] }>;
	stored(seq: number): Promise<StoredMsg>;
}

export function messageSuite(label: string): MessageSuite {
	let server: NatsServer | undefined;
	let nc: NatsConnection | undefined;
	let jsm: JetStreamManager | undefined;
	let stream = '';
	const node = new JetStream();
	const need = <T>(v: T | undefined): T => {
		if (v === undefined) throw new Error('only available inside a test');
		return v;
	};
	beforeAll(async () => {
		server = await startNatsServer({ label });
		nc = await connect({ servers: server.url });
		jsm = await jetstreamManager(nc);
	});
	afterAll(async () => {
		await connectionPool.closeAll();
		await nc?.close();
		await server?.cleanup();
	});
	beforeEach(async () => {
		stream = uniqueName('MSG');
		await need(jsm).streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`], duplicate_window: 60_000_000_000 });
	});
	afterEach(async () => {
		await need(jsm).streams.delete(stream);
	});
	return {
		get server() {
			return need(server);
		},
		get nc() {
			return need(nc);
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
		async run(params, items = [{ json: {} }], continueOnFail = false) {
			const { context, logs } = fakeExecute({
				params: { resource: 'message', ...params },
				items,
				credentials: { servers: need(server).url, authType: 'none' },
				continueOnFail,
			});
			const [out] = await node.execute.call(context);
			return { out, logs };
		},
		async stored(seq) {
			const msg = await need(jsm).streams.getMessage(stream, { seq });
			if (!msg) throw new Error(`no message ${seq} in ${stream}`);
			return msg;
		},
	};
}

export const json = (out: INodeExecutionData[]): IDataObject[] => out.map((item) => item.json);
