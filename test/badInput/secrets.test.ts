import { jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

import { JetStream } from '../../nodes/JetStream/JetStream.node';
import { JetStreamTrigger } from '../../nodes/JetStreamTrigger/JetStreamTrigger.node';
import { NatsRequestTrigger } from '../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';
import { connectionPool, testCredentials } from '../../nodes/shared/transport';
import { fakeExecute, type ParamValue } from '../helpers/fakeExecute';
import { eventually, fakeTrigger } from '../helpers/fakeTrigger';
import { startNatsServer, uniqueName, type NatsServer } from '../helpers/natsServer';
import { triggerParams, type TestStream } from '../integration/trigger/harness';

/**
 * Runs every node with secrets in the credential — the right password and a wrong one — through
 * successes and failures, and checks that no log line, error, output item or dead-letter header
 * contains a secret.
 */

const PASSWORD = 'Sup3r-Secret-Pa55word';
const WRONG = 'Wr0ng-Secret-Pa55word';
const SECRETS = [PASSWORD, WRONG];

let server: NatsServer;
let nc: NatsConnection;
const seen: string[] = [];

const good = () => ({ servers: server.url, authType: 'userPassword', user: 'app', password: PASSWORD });
const bad = () => ({ ...good(), password: WRONG });

beforeAll(async () => {
	server = await startNatsServer({ label: 'secrets', config: `accounts { APP { jetstream: enabled, users: [{ user: app, password: "${PASSWORD}" }] } }` });
	nc = await connect({ servers: server.url, user: 'app', pass: PASSWORD });
	await (await jetstreamManager(nc)).streams.add({ name: 'SECRETS', subjects: ['secrets.>'] });
});

afterAll(async () => {
	await connectionPool.closeAll();
	await nc.close();
	await server.cleanup();
});

async function runAction(params: Record<string, ParamValue>, credentials: Record<string, unknown>): Promise<void> {
	const { context, logs } = fakeExecute({ params, credentials, continueOnFail: true, items: [{ json: { note: 'hello' } }] });
	try {
		const [out] = await new JetStream().execute.call(context);
		seen.push(JSON.stringify(out));
	} catch (error) {
		const e = error as Error & { description?: string };
		seen.push(e.message, String(e.description ?? ''), String(e.stack ?? ''));
	}
	seen.push(JSON.stringify(logs));
}

const actions: Array<[string, Record<string, ParamValue>]> = [
	['publish', { resource: 'message', operation: 'publish', subject: 'secrets.created' }],
	['publish to nowhere', { resource: 'message', operation: 'publish', subject: 'nowhere.x' }],
	['request without responder', { resource: 'message', operation: 'request', subject: 'svc.none', requestTimeout: 0.3 }],
	['get a missing message', { resource: 'message', operation: 'get', messageStream: 'SECRETS', getBy: 'sequence', sequence: 999 }],
	['stream info', { resource: 'stream', operation: 'get', stream: 'SECRETS' }],
	['KV get in a missing bucket', { resource: 'keyValue', operation: 'get', kvBucket: 'nope', kvKey: 'k' }],
	['dead-letter list without a DLQ stream', { resource: 'deadLetter', operation: 'getAll', dlqStream: 'NO_DLQ', limit: 5 }],
];

describe('no secret in logs, errors, output or dead letters', () => {
	it.each(actions)('JetStream node: %s, with the right and a wrong password', async (_name, params) => {
		await runAction(params, good());
		await runAction(params, bad());
		await connectionPool.closeAll();
	});

	it('credential test with a wrong password', async () => {
		const outcome = await testCredentials(bad());
		seen.push(outcome.message);
		expect(outcome.ok).toBe(false);
	});

	it('trigger: activation with a wrong password, and a failure whose error quotes the password ends in the DLQ masked', async () => {
		const stream = { name: 'SECRETS' } as TestStream;
		const refused = fakeTrigger({ params: triggerParams(stream, 'nope'), credentials: bad() });
		await new JetStreamTrigger().trigger.call(refused.context).then(
			() => seen.push('activated?!'),
			(e: Error) => seen.push(e.message, String((e as { description?: string }).description ?? '')),
		);
		seen.push(JSON.stringify(refused.logs));

		const durable = uniqueName('d');
		const fake = fakeTrigger({
			params: { ...triggerParams(stream, durable), maxDeliver: 1 },
			credentials: good(),
			script: () => ({ failWith: `HTTP 401 for https://app:${PASSWORD}@crm.example/api`, node: 'HTTP Request' }),
		});
		const response = await new JetStreamTrigger().trigger.call(fake.context);
		try {
			await nc.publish('secrets.created', JSON.stringify({ order: 1 }));
			const jsm = await jetstreamManager(nc);
			await eventually(async () => ((await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages ?? 0) >= 1, 10_000, 'dead letter');
			const copy = (await jsm.streams.getMessage('DLQ', { seq: 1 })) as StoredMsg;
			const error = copy.header.get('X-Dlq-Error');
			expect(error).toContain('HTTP 401');
			seen.push(error, JSON.stringify(fake.items()), ...fake.failedExecutions.map((e) => e.message));
		} finally {
			await response.closeFunction?.();
		}
		seen.push(JSON.stringify(fake.logs));
	});

	it('request trigger: activation with a wrong password, and an error reply whose execution error quotes the password', async () => {
		const params = { subject: 'svc.secret', queueGroup: 'n8n', replyWith: 'firstItem' };
		const refused = fakeTrigger({ params, credentials: bad() });
		await new NatsRequestTrigger().trigger.call(refused.context).then(
			() => seen.push('activated?!'),
			(e: Error) => seen.push(e.message, String((e as { description?: string }).description ?? '')),
		);
		seen.push(JSON.stringify(refused.logs));

		const fake = fakeTrigger({ params, credentials: good(), script: () => ({ failWith: `HTTP 401 for https://app:${PASSWORD}@crm.example/api`, node: 'HTTP Request' }) });
		const response = await new NatsRequestTrigger().trigger.call(fake.context);
		try {
			const reply = await nc.request('svc.secret', '{}', { timeout: 3000 });
			const error = reply.headers?.get('Nats-Service-Error') ?? '';
			expect(error).toContain('HTTP 401 for https://app:***@crm.example');
			seen.push(error, new TextDecoder().decode(reply.data));
		} finally {
			await response.closeFunction?.();
		}
		seen.push(JSON.stringify(fake.logs));
	});

	afterAll(() => {
		// Checked once every scenario has added what it produced.
		const everything = seen.join('\n');
		expect(everything.length).toBeGreaterThan(1000);
		for (const secret of SECRETS) expect(everything).not.toContain(secret);
	});
});
