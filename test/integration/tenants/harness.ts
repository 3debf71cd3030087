import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject, INodeListSearchResult } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute, type ParamValue } from '../../helpers/fakeExecute';
import { fakeLoadOptions } from '../../helpers/fakeLoadOptions';
import { startNatsServer, type NatsServer } from '../../helpers/natsServer';

/**
 * Tenants on one nats-server: accounts TEN_A and TEN_B (one user each), and SHARED, one account two
 * tenants share (user `shared`), each with JetStream. The nodes run as n8n runs them, with a
 * credential per tenant; `admin(account)` is a test-side connection into that account.
 */

export type Account = 'TEN_A' | 'TEN_B' | 'SHARED';

const USERS: Record<Account, string> = { TEN_A: 'a', TEN_B: 'b', SHARED: 'shared' };

const CONFIG = `accounts {
${Object.entries(USERS)
	.map(([account, user]) => `  ${account} { jetstream: enabled, users: [ { user: "${user}", password: "${user}-pw" } ] }`)
	.join('\n')}
}`;

/** Connection name every credential of these tests uses: the pool must still keep them apart. */
export const CONNECTION_NAME = 'n8n-tenants';

export interface TenantSuite {
	readonly server: NatsServer;
	credentials(account: Account, extra?: Record<string, unknown>): Record<string, unknown>;
	admin(account: Account): { nc: NatsConnection; jsm: JetStreamManager };
	/** The JetStream node's first output, as JSON. */
	run(credentials: Record<string, unknown>, params: Record<string, ParamValue>, items?: Array<{ json: IDataObject }>): Promise<IDataObject[]>;
	/** A listSearch method of the JetStream node, as the editor calls it. */
	search(credentials: Record<string, unknown>, method: string, params?: Record<string, unknown>): Promise<INodeListSearchResult>;
	/** The server's client connections named CONNECTION_NAME: their account and messages received. */
	connections(): Promise<Array<{ account: string; inMsgs: number }>>;
}

const jetStream = new JetStream();

export function tenantSuite(label: string): TenantSuite {
	const state = { admins: new Map<Account, { nc: NatsConnection; jsm: JetStreamManager }>() } as {
		server?: NatsServer;
		admins: Map<Account, { nc: NatsConnection; jsm: JetStreamManager }>;
	};
	const server = () => {
		if (!state.server) throw new Error('only inside a test');
		return state.server;
	};
	beforeAll(async () => {
		state.server = await startNatsServer({ label, config: CONFIG, monitor: true });
		for (const [account, user] of Object.entries(USERS) as Array<[Account, string]>) {
			const nc = await connect({ servers: state.server.url, user, pass: `${user}-pw`, name: `test-side-${account}` });
			state.admins.set(account, { nc, jsm: await jetstreamManager(nc) });
		}
	}, 30_000);
	afterAll(async () => {
		await connectionPool.closeAll();
		for (const { nc } of state.admins.values()) await nc.close();
		await state.server?.cleanup();
	});
	return {
		get server() {
			return server();
		},
		credentials: (account, extra = {}) => ({
			servers: server().url,
			authType: 'userPassword',
			user: USERS[account],
			password: `${USERS[account]}-pw`,
			connectionName: CONNECTION_NAME,
			...extra,
		}),
		admin: (account) => {
			const found = state.admins.get(account);
			if (!found) throw new Error(`no admin connection for ${account}`);
			return found;
		},
		async run(credentials, params, items = [{ json: {} }]) {
			const { context } = fakeExecute({ params, items, credentials });
			const [out] = await jetStream.execute.call(context);
			return out.map((item) => item.json);
		},
		async search(credentials, method, params) {
			const found = (jetStream.methods?.listSearch as Record<string, ((this: unknown) => Promise<INodeListSearchResult>) | undefined> | undefined)?.[method];
			if (!found) throw new Error(`no listSearch method "${method}"`);
			const { context } = fakeLoadOptions({ params, credentials, nodeType: 'n8n-nodes-jetstream.jetStream' });
			return await found.call(context);
		},
		async connections() {
			const response = await fetch(`${server().monitorUrl}/connz?auth=true&limit=1024`);
			const body = (await response.json()) as { connections?: Array<{ name?: string; account?: string; in_msgs?: number }> };
			return (body.connections ?? []).filter((c) => c.name === CONNECTION_NAME).map((c) => ({ account: c.account ?? '?', inMsgs: c.in_msgs ?? 0 }));
		},
	};
}

/** `{ __rl: true, mode, value }` as the editor stores a picker's value. */
export const picked = (value: string) => ({ __rl: true, mode: 'name', value });

export const listed = (result: INodeListSearchResult) => result.results.map((r) => String(r.value));
