import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { INodeListSearchResult, INodeType } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { JetStreamTrigger } from '../../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { connectionPool, createClient, parseCredentials, type NatsClient } from '../../../nodes/shared/transport';
import { deleteTestStreams, keepAccountStore } from '../../helpers/accountStore';
import { fakeLoadOptions } from '../../helpers/fakeLoadOptions';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';

/**
 * The pickers' lists against a real nats-server, called the way n8n's editor calls them: the
 * node's `methods.listSearch[name]` with the parameters on screen and the node's credential.
 *
 * Users: `admin` may do anything; `namesOnly` may list names but not the full listings;
 * `noList` may read streams and consumers it knows by name but list nothing; `noInbox` may publish
 * anything but receive no replies.
 */

export type User = 'admin' | 'namesOnly' | 'noList' | 'noInbox';

const USERS: Record<Exclude<User, 'admin'>, { publish: string[]; subscribe: string[] }> = {
	namesOnly: { publish: ['$JS.API.STREAM.NAMES', '$JS.API.CONSUMER.NAMES.>'], subscribe: ['_INBOX.>'] },
	noList: {
		publish: ['$JS.API.STREAM.INFO.>', '$JS.API.CONSUMER.INFO.>', '$JS.API.STREAM.MSG.GET.>', '$JS.API.DIRECT.GET.>'],
		subscribe: ['_INBOX.>'],
	},
	noInbox: { publish: ['>'], subscribe: ['nothing.at.all'] },
};

function usersConfig(): string {
	const users = Object.entries(USERS).map(
		([user, p]) => `{ user: "${user}", password: "pw", permissions: { publish: { allow: ${JSON.stringify(p.publish)} }, subscribe: { allow: ${JSON.stringify(p.subscribe)} } } }`,
	);
	users.push('{ user: admin, password: admin-pw }');
	return `accounts { APP { jetstream: enabled, users: [\n${users.join(',\n')}\n] } }`;
}

export type NodeName = 'jetStream' | 'trigger';

export interface PickerSuite {
	readonly server: NatsServer;
	readonly admin: NatsConnection;
	readonly jsm: JetStreamManager;
	/** The admin's connection as the package's client (for the schema registry). */
	readonly client: NatsClient;
	credentials(user: User): Record<string, unknown>;
	/** Calls `methods.listSearch[method]` of the node with these parameters on screen. */
	search(method: string, options?: { params?: Record<string, unknown>; filter?: string; user?: User; node?: NodeName }): Promise<INodeListSearchResult>;
	/** Like `search`, for a call that must fail: the error, and how long the call took. */
	refusal(method: string, options?: { params?: Record<string, unknown>; filter?: string; user?: User; node?: NodeName }): Promise<{ error: Error & { description?: string }; ms: number }>;
}

const nodes: Record<NodeName, { type: INodeType; typeName: string }> = {
	jetStream: { type: new JetStream(), typeName: 'n8n-nodes-jetstream.jetStream' },
	trigger: { type: new JetStreamTrigger(), typeName: 'n8n-nodes-jetstream.jetStreamTrigger' },
};

export function pickerSuite(label: string): PickerSuite {
	const state = {} as { server: NatsServer; admin: NatsConnection; jsm: JetStreamManager; client: NatsClient };

	beforeAll(async () => {
		state.server = await startNatsServer({ label, config: usersConfig() });
		state.admin = await connect({ servers: state.server.url, user: 'admin', pass: 'admin-pw' });
		state.jsm = await jetstreamManager(state.admin);
		await keepAccountStore(state.jsm);
		state.client = createClient(state.admin, parseCredentials(credentials('admin')));
	}, 30_000);

	afterEach(async () => {
		await deleteTestStreams(state.jsm);
	});

	afterAll(async () => {
		await connectionPool.closeAll();
		await state.admin?.close();
		await state.server?.cleanup();
	});

	function credentials(user: User): Record<string, unknown> {
		return { servers: state.server.url, authType: 'userPassword', user, password: user === 'admin' ? 'admin-pw' : 'pw', connectionName: `picker-${user}` };
	}

	async function search(method: string, options: { params?: Record<string, unknown>; filter?: string; user?: User; node?: NodeName } = {}) {
		const node = nodes[options.node ?? 'jetStream'];
		const found = node.type.methods?.listSearch?.[method];
		if (!found) throw new Error(`${node.typeName} has no listSearch method "${method}"`);
		const { context } = fakeLoadOptions({ params: options.params, credentials: credentials(options.user ?? 'admin'), nodeType: node.typeName });
		return await found.call(context, options.filter);
	}

	return {
		get server() {
			return state.server;
		},
		get admin() {
			return state.admin;
		},
		get jsm() {
			return state.jsm;
		},
		get client() {
			return state.client;
		},
		credentials,
		search,
		async refusal(method, options) {
			const started = Date.now();
			const outcome = await search(method, options).then(
				(result) => ({ result, error: undefined }),
				(error: Error) => ({ result: undefined, error }),
			);
			if (!outcome.error) throw new Error(`"${method}" listed instead of failing: ${JSON.stringify(outcome.result).slice(0, 300)}`);
			return { error: outcome.error, ms: Date.now() - started };
		},
	};
}

/** `{ __rl: true, mode, value }` as the editor stores a picker's value. */
export const picked = (value: string, mode: 'list' | 'name' = 'list') => ({ __rl: true, mode, value });

/** The names the list offers (the values: a stream's shown name carries its subjects too). */
export const names = (result: INodeListSearchResult) => result.results.map((r) => r.value);
