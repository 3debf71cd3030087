import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { NatsRequestTrigger } from '../../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute, type ParamValue } from '../../helpers/fakeExecute';
import { eventually, fakeTrigger } from '../../helpers/fakeTrigger';
import { serverAtLeast, startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { expectMatchesSchema, triggerSchemaFile } from '../../helpers/outputSchemas';
import { activate, createStream, type ActiveTrigger, type TestStream } from '../trigger/harness';

/**
 * The audit trail (issue 25): a message the JetStream node publishes names its sender (X-N8n-*
 * headers), the JetStream Trigger shows that sender as `sentBy`, and a dead letter names the workflow
 * that gave up on the message; a redrive keeps the original sender.
 */

const SENDER = { id: 'wf-sender-1', name: 'Orders → ERP\r\nline two' };
const SENDER_NAME_HEADER = 'Orders %E2%86%92 ERP%0D%0Aline two';

let server: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let stream: TestStream;
const triggers: ActiveTrigger[] = [];
const node = new JetStream();

beforeAll(async () => {
	server = await startNatsServer({ label: 'audit' });
	nc = await connect({ servers: server.url, name: 'test-side' });
	jsm = await jetstreamManager(nc);
});
afterAll(async () => {
	await connectionPool.closeAll();
	await nc?.close();
	await server?.cleanup();
});
beforeEach(async () => {
	stream = await createStream(server, 'AUD', nc);
});
afterEach(async () => {
	for (const t of triggers.splice(0)) await t.close();
	await jsm.streams.delete('DLQ').catch(() => false);
	await stream.close();
});

/** Runs the JetStream node as the workflow "SENDER", in execution 1001, as node "Send order". */
async function runNode(params: Record<string, ParamValue>, workflow = SENDER, executionId: string | null = '1001', items: INodeExecutionData[] = [{ json: { order: 7 } }]): Promise<IDataObject[]> {
	const { context } = fakeExecute({
		params,
		items,
		credentials: { servers: server.url, authType: 'none' },
		nodeName: 'Send order',
		workflow,
		executionId,
	});
	const [out] = await node.execute.call(context);
	return out.map((item: INodeExecutionData) => item.json);
}

const publish = (publishOptions: Record<string, unknown> = {}) => ({ resource: 'message', operation: 'publish', subject: stream.subject, publishOptions });

async function stored(seq: number, name = stream.name): Promise<StoredMsg> {
	const msg = await jsm.streams.getMessage(name, { seq });
	if (!msg) throw new Error(`no message ${seq} in ${name}`);
	return msg;
}

const senderHeaders = (msg: StoredMsg) => Object.fromEntries([...msg.header.keys()].filter((k) => /^x-n8n-/i.test(k)).map((k) => [k, msg.header.get(k)]));

describe('Publish names its sender', () => {
	it('sends the instance, workflow id and name (encoded), execution and node', async () => {
		await runNode(publish());
		expect(senderHeaders(await stored(1))).toEqual({
			'X-N8n-Instance-Id': 'instance-test-1',
			'X-N8n-Workflow-Id': 'wf-sender-1',
			'X-N8n-Workflow-Name': SENDER_NAME_HEADER,
			'X-N8n-Execution-Id': '1001',
			'X-N8n-Node': 'Send order',
		});
	});

	it('sends none of them with "Add Sender Headers" off', async () => {
		await runNode(publish({ senderHeaders: false }));
		const msg = await stored(1);
		expect(senderHeaders(msg)).toEqual({});
		expect(msg.header.get('X-Correlation-Id')).not.toBe('');
	});

	it('leaves the execution out, without failing, when n8n gives none (an editor test run)', async () => {
		await runNode(publish(), SENDER, null);
		const headers = senderHeaders(await stored(1));
		expect(headers['X-N8n-Workflow-Id']).toBe('wf-sender-1');
		expect(headers).not.toHaveProperty('X-N8n-Execution-Id');
	});

	it('keeps the sender readable when the payload is encrypted', async () => {
		const { context } = fakeExecute({
			params: publish({ encrypt: true }),
			credentials: { servers: server.url, authType: 'none', encryptionKeys: JSON.stringify([{ id: 'k1', key: Buffer.alloc(32, 7).toString('base64') }]) },
			workflow: SENDER,
		});
		await node.execute.call(context);
		const msg = await stored(1);
		expect(msg.header.get('X-Enc-Key-Id')).toBe('k1');
		expect(msg.header.get('X-N8n-Workflow-Id')).toBe('wf-sender-1');
	});

	it('Request sends them too, and not with the option off', async () => {
		const subject = `${stream.name.toLowerCase()}_svc.price`;
		const seen: Array<Record<string, string>> = [];
		const sub = nc.subscribe(subject, {
			callback: (_err, msg) => {
				seen.push(Object.fromEntries([...(msg.headers?.keys() ?? [])].map((k) => [k, msg.headers?.get(k) ?? ''])));
				msg.respond('{}');
			},
		});
		await nc.flush();
		try {
			await runNode({ resource: 'message', operation: 'request', subject, requestTimeout: 2 });
			await runNode({ resource: 'message', operation: 'request', subject, requestTimeout: 2, requestOptions: { senderHeaders: false } });
		} finally {
			sub.unsubscribe();
		}
		expect(seen[0]).toMatchObject({ 'X-N8n-Workflow-Id': 'wf-sender-1', 'X-N8n-Execution-Id': '1001', 'X-N8n-Node': 'Send order' });
		expect(Object.keys(seen[1]).filter((k) => /^x-n8n-/i.test(k))).toEqual([]);
	});

	if (serverAtLeast('2.12.0')) {
		it('every message of an atomic batch ("All Items or None") names the sender', async () => {
			const name = uniqueName('AUDA');
			await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], allow_atomic: true });
			try {
				await runNode({ resource: 'message', operation: 'publish', subject: `${name.toLowerCase()}.a`, publishOptions: { allOrNone: true } }, SENDER, '1001', [{ json: { n: 1 } }, { json: { n: 2 } }]);
				for (const seq of [1, 2]) expect(senderHeaders(await stored(seq, name))).toMatchObject({ 'X-N8n-Workflow-Id': 'wf-sender-1', 'X-N8n-Execution-Id': '1001', 'X-N8n-Node': 'Send order' });
			} finally {
				await jsm.streams.delete(name);
			}
		});

		it('a scheduled message reaches Deliver To with its sender headers', async () => {
			const name = uniqueName('AUDS');
			const prefix = name.toLowerCase();
			await jsm.streams.add({ name, subjects: [`${prefix}.>`], allow_msg_schedules: true });
			try {
				await runNode({ resource: 'message', operation: 'publish', subject: `${prefix}.schedule.a`, schedule: 'after', scheduleDelaySeconds: 1, scheduleTarget: `${prefix}.due`, publishOptions: {} });
				let due: StoredMsg | null = null;
				await eventually(async () => (due = await jsm.streams.getMessage(name, { last_by_subj: `${prefix}.due` })) !== null, 6_000, 'the scheduled message');
				expect(senderHeaders(due!)).toMatchObject({ 'X-N8n-Workflow-Id': 'wf-sender-1', 'X-N8n-Execution-Id': '1001' });
			} finally {
				await jsm.streams.delete(name);
			}
		});
	}
});

describe('The JetStream Trigger shows the sender; a dead letter names the workflow that gave up', () => {
	it('exposes the decoded sender as sentBy, and none for a message without it', async () => {
		const trigger = await activate(server, stream, uniqueName('d'));
		triggers.push(trigger);
		await runNode(publish());
		await stream.publish(1);
		await eventually(() => trigger.fake.items().length === 2, 5_000, 'both messages');
		const [fromN8n, plain] = trigger.fake.items().map((i) => i.json);
		expect(fromN8n.sentBy).toEqual({ instanceId: 'instance-test-1', workflowId: 'wf-sender-1', workflowName: SENDER.name, executionId: '1001', node: 'Send order' });
		expect(plain).not.toHaveProperty('sentBy');
		expectMatchesSchema(triggerSchemaFile('JetStreamTrigger'), trigger.fake.items());
	});

	it('a dead letter records the consuming workflow, Dead Letter → Get shows it, and a redrive keeps the original sender', async () => {
		const trigger = await activate(server, stream, uniqueName('d'), { params: { maxDeliver: 2 }, script: () => ({ failWith: 'ERP down', node: 'ERP' }) });
		triggers.push(trigger);
		await runNode(publish());
		await eventually(async () => (await jsm.streams.info('DLQ').catch(() => undefined))?.state.messages === 1, 15_000, 'the dead letter');
		const copy = await stored(1, 'DLQ');
		// The fake trigger's workflow (fakeTrigger): the one whose executions gave up.
		expect(copy.header.get('X-Dlq-Workflow-Id')).toBe('wf-trigger-test');
		expect(copy.header.get('X-Dlq-Workflow-Name')).toBe('Trigger test');
		expect(Date.parse(copy.header.get('X-Dlq-Execution-Started'))).not.toBeNaN();
		expect(copy.header.get('X-N8n-Workflow-Id')).toBe('wf-sender-1');

		const [record] = await runNode({ resource: 'deadLetter', operation: 'get', dlqStream: 'DLQ', sequence: 1 }, { id: 'wf-ops', name: 'Ops' });
		expect(record).toMatchObject({ workflowId: 'wf-trigger-test', workflowName: 'Trigger test', executionId: null, failedNode: 'ERP' });
		expect(record.executionStartedAt).toBe(copy.header.get('X-Dlq-Execution-Started'));

		await trigger.close();
		await runNode({ resource: 'deadLetter', operation: 'redrive', dlqStream: 'DLQ', select: 'sequences', sequences: '1', targetSubject: '' }, { id: 'wf-ops', name: 'Ops' }, '2002');
		const last = (await jsm.streams.info(stream.name)).state.last_seq;
		expect(senderHeaders(await stored(last))).toMatchObject({ 'X-N8n-Workflow-Id': 'wf-sender-1', 'X-N8n-Execution-Id': '1001', 'X-N8n-Node': 'Send order' });
	});
});

describe('The NATS Request Trigger shows who asked', () => {
	it('exposes sentBy for a JetStream node\'s Request, and none for a plain client', async () => {
		const subject = `${stream.name.toLowerCase()}_svc.quote`;
		const fake = fakeTrigger({
			params: { subject, queueGroup: 'n8n', replyWith: 'firstItem' },
			credentials: { servers: server.url, authType: 'none' },
			script: () => ({ output: [{ ok: true }] }),
			nodeName: 'NATS Request Trigger',
		});
		const response = await new NatsRequestTrigger().trigger.call(fake.context);
		try {
			await runNode({ resource: 'message', operation: 'request', subject, requestTimeout: 3 });
			await nc.request(subject, '{}', { timeout: 3000 });
			const [fromN8n, plain] = fake.items().map((i) => i.json);
			expect(fromN8n.sentBy).toEqual({ instanceId: 'instance-test-1', workflowId: 'wf-sender-1', workflowName: SENDER.name, executionId: '1001', node: 'Send order' });
			expect(plain).not.toHaveProperty('sentBy');
			expectMatchesSchema(triggerSchemaFile('NatsRequestTrigger'), fake.items());
		} finally {
			await response.closeFunction?.();
		}
	});
});
