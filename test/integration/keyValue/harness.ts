import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { serverVersion, type NatsServer } from '../../helpers/natsServer';
import { fakeExecute, type ParamValue } from '../../helpers/fakeExecute';

/**
 * Runs the JetStream node's Key-Value resource the way n8n does, and gives tests a separate raw
 * connection to look at what the server really stored (the bucket's stream config).
 */

const node = new JetStream();

export interface RunOptions {
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
}

export function kvRunner(server: () => NatsServer) {
	return async function run(params: Record<string, ParamValue>, options: RunOptions = {}): Promise<INodeExecutionData[]> {
		const { context } = fakeExecute({
			params: { resource: 'keyValue', ...params },
			items: options.items,
			credentials: { servers: server().url },
			continueOnFail: options.continueOnFail,
		});
		const [out] = await node.execute.call(context);
		return out;
	};
}

export const json = (out: INodeExecutionData[]): IDataObject[] => out.map((item) => item.json);

export interface Inspector {
	nc: NatsConnection;
	jsm: JetStreamManager;
	close(): Promise<void>;
}

export async function inspector(server: NatsServer): Promise<Inspector> {
	const nc = await connect({ servers: server.url, name: 'kv-test-inspector' });
	const jsm = await jetstreamManager(nc);
	return { nc, jsm, close: () => nc.close() };
}

/** "2.9.10" from `nats-server --version`, to expect a refusal only where the server is too old. */
export const installedServerVersion = serverVersion;
