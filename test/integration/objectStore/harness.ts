import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { fakeExecute, type FakeExecuteOptions, type LogLine, type ParamValue } from '../../helpers/fakeExecute';
import { connectionPool } from '../../../nodes/shared/transport';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';

/**
 * Runs the JetStream node's Object Store resource the way n8n does, and gives tests a separate raw
 * connection to look at (and tamper with) what the server really stored.
 */

const node = new JetStream();

export interface RunOptions {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	binaryMode?: FakeExecuteOptions['binaryMode'];
	/** Receives the node's log lines. */
	logs?: LogLine[];
}

export function objRunner(server: () => NatsServer) {
	return async function run(params: Record<string, ParamValue>, options: RunOptions = {}): Promise<INodeExecutionData[]> {
		const { context, logs } = fakeExecute({
			params: { resource: 'objectStore', ...params },
			items: options.items,
			credentials: { servers: server().url },
			continueOnFail: options.continueOnFail,
			binaryMode: options.binaryMode,
		});
		try {
			const [out] = await node.execute.call(context);
			return out;
		} finally {
			options.logs?.push(...logs);
		}
	};
}

export const json = (out: INodeExecutionData[]): IDataObject[] => out.map((item) => item.json);

/** A binary field held in memory, as n8n's default mode keeps it. */
export function memoryFile(bytes: Buffer | string, mimeType: string, fileName: string): INodeExecutionData {
	const data = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
	return { json: {}, binary: { data: { data: data.toString('base64'), mimeType, fileName, fileSize: String(data.length) } } };
}

export interface Inspector {
	nc: NatsConnection;
	jsm: JetStreamManager;
	objm: Objm;
	close(): Promise<void>;
}

export async function inspector(server: NatsServer): Promise<Inspector> {
	const nc = await connect({ servers: server.url, name: 'obj-test-inspector' });
	const jsm = await jetstreamManager(nc);
	return { nc, jsm, objm: new Objm(nc), close: () => nc.close() };
}

export interface ObjectStoreSuite {
	readonly server: NatsServer;
	readonly raw: Inspector;
	run: ReturnType<typeof objRunner>;
	/** A unique bucket name (`prefix` + a counter); its stream is removed after the test. */
	bucketName(prefix: string): string;
}

/**
 * The usual hooks of an object store test file: one nats-server for the file, a raw connection to
 * inspect it, and every bucket a test named removed after it.
 */
export function objectStoreSuite(label: string): ObjectStoreSuite {
	let server: NatsServer | undefined;
	let raw: Inspector | undefined;
	const created: string[] = [];
	const need = <T>(value: T | undefined, what: string): T => {
		if (value === undefined) throw new Error(`${what} is only available inside a test`);
		return value;
	};
	beforeAll(async () => {
		server = await startNatsServer({ label });
		raw = await inspector(server);
	});
	afterEach(async () => {
		for (const bucket of created.splice(0)) await raw?.jsm.streams.delete(`OBJ_${bucket}`).catch(() => false);
	});
	afterAll(async () => {
		await raw?.close();
		await connectionPool.closeAll();
		await server?.cleanup();
	});
	return {
		get server() {
			return need(server, 'The server');
		},
		get raw() {
			return need(raw, 'The inspector');
		},
		run: objRunner(() => need(server, 'The server')),
		bucketName(prefix) {
			const name = uniqueName(prefix);
			created.push(name);
			return name;
		},
	};
}
