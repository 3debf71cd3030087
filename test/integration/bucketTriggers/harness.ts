import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { Objm } from '@nats-io/obj';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { INodeType, ITriggerFunctions } from 'n8n-workflow';

import { JetStreamKvTrigger } from '../../../nodes/JetStreamKvTrigger/JetStreamKvTrigger.node';
import { JetStreamObjectStoreTrigger } from '../../../nodes/JetStreamObjectStoreTrigger/JetStreamObjectStoreTrigger.node';
import { triggerSettled } from '../../../nodes/JetStreamTrigger/consumer/startTrigger';
import { fakeTrigger } from '../../helpers/fakeTrigger';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import type { ActivateOptions, ActiveTrigger } from '../trigger/harness';

/**
 * The key-value and object store triggers against a real server: one server per file, a unique
 * bucket per test, and every trigger and bucket a test made removed after it.
 */

export type BucketNode = 'keyValue' | 'objectStore';

const NODES: Record<BucketNode, { make: () => Required<Pick<INodeType, 'trigger'>>; bucketParam: string; stream: (bucket: string) => string }> = {
	keyValue: { make: () => new JetStreamKvTrigger(), bucketParam: 'kvBucket', stream: (b) => `KV_${b}` },
	objectStore: { make: () => new JetStreamObjectStoreTrigger(), bucketParam: 'objectBucket', stream: (b) => `OBJ_${b}` },
};

export interface BucketSuite {
	readonly server: NatsServer;
	readonly nc: NatsConnection;
	jsm(): Promise<JetStreamManager>;
	kvm(): Kvm;
	objm(): Objm;
	/** A unique bucket name, removed (with its stream) after the test. */
	bucketName(kind: BucketNode): string;
	/** Activates a trigger on `bucket` with short waits (1 s ack wait, 0.2 s first retry); closed after the test. */
	start(kind: BucketNode, bucket: string, consumerName: string, extra?: ActivateOptions): Promise<ActiveTrigger>;
}

export function bucketSuite(label: string): BucketSuite {
	let server: NatsServer | undefined;
	let nc: NatsConnection | undefined;
	const triggers: ActiveTrigger[] = [];
	const streams: string[] = [];
	const need = <T>(value: T | undefined, what: string): T => {
		if (value === undefined) throw new Error(`${what} is only available inside a test`);
		return value;
	};
	beforeAll(async () => {
		server = await startNatsServer({ label });
		nc = await connect({ servers: server.url, name: 'test-side', maxReconnectAttempts: -1, reconnectTimeWait: 200 });
	});
	afterAll(async () => {
		await nc?.close();
		await server?.cleanup();
	});
	afterEach(async () => {
		for (const t of triggers.splice(0)) await t.close();
		const jsm = await jetstreamManager(need(nc, 'The connection'));
		for (const stream of [...streams.splice(0), 'DLQ']) await jsm.streams.delete(stream).catch(() => false);
	});
	const suite: BucketSuite = {
		get server() {
			return need(server, 'The server');
		},
		get nc() {
			return need(nc, 'The connection');
		},
		jsm: async () => await jetstreamManager(need(nc, 'The connection')),
		kvm: () => new Kvm(need(nc, 'The connection')),
		objm: () => new Objm(need(nc, 'The connection')),
		bucketName(kind) {
			const name = uniqueName(kind === 'keyValue' ? 'kv' : 'obj');
			streams.push(NODES[kind].stream(name));
			return name;
		},
		async start(kind, bucket, consumerName, extra = {}) {
			const node = NODES[kind];
			const fake = fakeTrigger({
				params: {
					[node.bucketParam]: bucket,
					consumerName,
					startWith: 'new',
					ackWaitSeconds: 1,
					maxDeliver: 10,
					backoff: '',
					maxAckPending: 1000,
					ackMode: 'executionSucceeds',
					...extra.params,
					options: { retryDelay: 0.2, maxRetryDelay: 5, closeTimeout: 2, ...extra.options },
				},
				credentials: extra.credentials ?? { servers: suite.server.url, authType: 'none', connectionName: uniqueName('trigger') },
				mode: extra.mode,
				script: extra.script,
			});
			const response = (await node.make().trigger.call(fake.context as ITriggerFunctions))!;
			let closed = false;
			const trigger: ActiveTrigger = {
				fake,
				response,
				close: async () => {
					if (closed) return;
					closed = true;
					await response.closeFunction?.();
					await triggerSettled.get(response);
				},
			};
			triggers.push(trigger);
			return trigger;
		},
	};
	return suite;
}
