import { headers as natsHeaders } from '@nats-io/transport-node';
import type { ITriggerResponse } from 'n8n-workflow';

import { NatsRequestTrigger } from '../../../nodes/NatsRequestTrigger/NatsRequestTrigger.node';
import { eventually, fakeTrigger, type FakeTrigger, type Script } from '../../helpers/fakeTrigger';
import { uniqueName } from '../../helpers/natsServer';
import { json, messageSuite } from './harness';

/** The NATS Request Trigger answering the JetStream node's Message → Request (and raw clients), on a real nats-server. */

const suite = messageSuite('request-trigger');
const open: ITriggerResponse[] = [];

afterEach(async () => {
	await Promise.all(open.splice(0).map(async (t) => await t.closeFunction?.()));
});

const decode = (data: Uint8Array) => new TextDecoder().decode(data);
const serviceSubject = () => `svc.${uniqueName('q').toLowerCase()}`;

async function listen(params: Record<string, unknown>, script?: Script, mode: 'trigger' | 'manual' = 'trigger'): Promise<FakeTrigger> {
	const fake = fakeTrigger({
		params: { queueGroup: 'n8n', replyWith: 'firstItem', ...params },
		credentials: { servers: suite.server.url, authType: 'none' },
		script,
		mode,
		nodeName: 'NATS Request Trigger',
	});
	open.push(await new NatsRequestTrigger().trigger.call(fake.context));
	return fake;
}

describe('NATS Request Trigger', () => {
	it('runs the workflow per request and replies with the first item of its last node', async () => {
		const subject = serviceSubject();
		const fake = await listen({ subject }, (e) => ({ output: [{ sku: (e.items[0].json.payload as { sku: string }).sku, price: 30 }, { ignored: true }] }));
		const { out } = await suite.run({ operation: 'request', subject, requestTimeout: 3 }, [{ json: { sku: 'abc' } }, { json: { sku: 'xyz' } }]);
		expect(json(out)).toMatchObject([
			{ subject, body: { sku: 'abc', price: 30 }, bodyEncoding: 'json' },
			{ body: { sku: 'xyz', price: 30 } },
		]);
		expect(fake.items().map((i) => i.json)).toEqual([
			expect.objectContaining({ payload: { sku: 'abc' }, subject, expectsReply: true }),
			expect.objectContaining({ payload: { sku: 'xyz' }, subject, expectsReply: true }),
		]);
	});

	it('replies with every item as an array, or an empty confirmation, as "Reply With" says', async () => {
		const all = serviceSubject();
		const empty = serviceSubject();
		await listen({ subject: all, replyWith: 'allItems' }, () => ({ output: [{ n: 1 }, { n: 2 }] }));
		await listen({ subject: empty, replyWith: 'empty' }, () => ({ output: [{ n: 1 }] }));
		const reply = await suite.nc.request(all, '{}', { timeout: 3000 });
		expect(JSON.parse(decode(reply.data))).toEqual([{ n: 1 }, { n: 2 }]);
		expect(reply.headers?.get('Content-Type')).toBe('application/json');
		const confirmation = await suite.nc.request(empty, '{}', { timeout: 3000 });
		expect(confirmation.data.length).toBe(0);
		expect(confirmation.headers?.get('Nats-Service-Error')).toBeFalsy();
	});

	it('acknowledges at once and runs the workflow after, when asked to', async () => {
		const subject = serviceSubject();
		const fake = await listen({ subject, replyWith: 'immediately' }, () => ({ succeedAfterMs: 1500 }));
		const started = Date.now();
		const reply = await suite.nc.request(subject, '{"job":1}', { timeout: 1000 });
		expect(Date.now() - started).toBeLessThan(1000);
		expect(JSON.parse(decode(reply.data))).toEqual({ accepted: true });
		await eventually(() => fake.emissions.length === 1, 2_000, 'the execution');
		expect(fake.items()[0].json.payload).toEqual({ job: 1 });
	});

	it('answers a failed execution with a service error the Request operation reports, naming the node', async () => {
		const subject = serviceSubject();
		await listen({ subject }, () => ({ failWith: 'CRM answered 503', node: 'Update CRM' }));
		const reply = await suite.nc.request(subject, '{}', { timeout: 3000 });
		expect(reply.headers?.get('Nats-Service-Error')).toBe('CRM answered 503');
		expect(reply.headers?.get('Nats-Service-Error-Code')).toBe('500');
		expect(JSON.parse(decode(reply.data))).toEqual({ error: 'CRM answered 503', code: 500, node: 'Update CRM' });
		await expect(suite.run({ operation: 'request', subject, requestTimeout: 3 })).rejects.toThrow(
			`The service answering "${subject}" replied with an error (code 500): CRM answered 503`,
		);
		const { out } = await suite.run({ operation: 'request', subject, requestTimeout: 3 }, [{ json: {} }], true);
		expect(String(out[0].json.error)).toMatch(/replied with an error \(code 500\)/);
	});

	it('answers 504 when the execution outlives its timeout, and 400 without an execution for a request that is not JSON', async () => {
		const slow = serviceSubject();
		const strict = serviceSubject();
		await listen({ subject: slow, options: { executionTimeout: 0.3 } }, () => 'crash');
		const fake = await listen({ subject: strict, options: { content: 'json' } });
		const late = await suite.nc.request(slow, '{}', { timeout: 3000 });
		expect(late.headers?.get('Nats-Service-Error-Code')).toBe('504');
		expect(late.headers?.get('Nats-Service-Error')).toMatch(/did not finish within 0.3 s/);
		const bad = await suite.nc.request(strict, 'not json', { timeout: 3000 });
		expect(bad.headers?.get('Nats-Service-Error-Code')).toBe('400');
		expect(bad.headers?.get('Nats-Service-Error')).toMatch(/The message on subject ".*" is not valid JSON/);
		expect(fake.emissions).toHaveLength(0);
	});

	it('echoes the correlation id and trace headers, and runs the workflow for a message without a reply subject', async () => {
		const subject = serviceSubject();
		const fake = await listen({ subject }, () => ({ output: [{ ok: true }] }));
		const h = natsHeaders();
		h.set('X-Correlation-Id', 'order-42');
		h.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
		const reply = await suite.nc.request(subject, '{}', { timeout: 3000, headers: h });
		expect(reply.headers?.get('X-Correlation-Id')).toBe('order-42');
		expect(reply.headers?.get('traceparent')).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
		expect(fake.items()[0].json.correlationId).toBe('order-42');
		suite.nc.publish(subject, '{"fire":"and forget"}');
		await eventually(() => fake.emissions.length === 2, 3_000, 'the plain message run');
		expect(fake.items()[1].json).toMatchObject({ payload: { fire: 'and forget' }, expectsReply: false });
	});

	it('shares requests between listeners of one queue group: each is answered exactly once', async () => {
		const subject = serviceSubject();
		const a = await listen({ subject }, () => ({ output: [{ by: 'a' }] }));
		const b = await listen({ subject }, () => ({ output: [{ by: 'b' }] }));
		const replies = await Promise.all(Array.from({ length: 40 }, async () => JSON.parse(decode((await suite.nc.request(subject, '{}', { timeout: 3000 })).data)) as { by: string }));
		expect(replies).toHaveLength(40);
		expect(a.emissions.length + b.emissions.length).toBe(40);
		expect(replies.filter((r) => r.by === 'a')).toHaveLength(a.emissions.length);
	});

	it('never runs more executions at once than the parallel limit', async () => {
		const subject = serviceSubject();
		const fake = await listen({ subject, options: { parallelExecutions: 2 } }, () => ({ succeedAfterMs: 100 }));
		await Promise.all(Array.from({ length: 8 }, async () => await suite.nc.request(subject, '{}', { timeout: 5000 })));
		expect(fake.emissions).toHaveLength(8);
		expect(fake.maxRunning()).toBe(2);
	});

	it('a test run takes one request and leaves the rest to the active workflow', async () => {
		const subject = serviceSubject();
		const test = await listen({ subject }, () => ({ output: [{ from: 'test' }] }), 'manual');
		const first = suite.nc.request(subject, '{}', { timeout: 3000 });
		expect(JSON.parse(decode((await first).data))).toEqual({ from: 'test' });
		const active = await listen({ subject }, () => ({ output: [{ from: 'active' }] }));
		for (let i = 0; i < 5; i++) {
			const reply = await suite.nc.request(subject, '{}', { timeout: 3000 });
			expect(JSON.parse(decode(reply.data))).toEqual({ from: 'active' });
		}
		expect(test.emissions).toHaveLength(1);
		expect(active.emissions).toHaveLength(5);
	});

	it('refuses a subject or queue group that cannot work, naming the field', async () => {
		await expect(listen({ subject: 'svc.>.x' })).rejects.toThrow(/Subject “svc.>.x” has “>” before the end/);
		await expect(listen({ subject: '' })).rejects.toThrow(/“Subject” is empty/);
		await expect(listen({ subject: 'svc.a', queueGroup: 'my group' })).rejects.toThrow(/“Queue Group” cannot contain spaces or wildcards/);
	});

	it('stops answering once deactivated: a requester then hears that nobody is listening', async () => {
		const subject = serviceSubject();
		await listen({ subject }, () => ({ output: [{ ok: true }] }));
		await suite.nc.request(subject, '{}', { timeout: 3000 });
		await open.pop()?.closeFunction?.();
		await expect(suite.run({ operation: 'request', subject, requestTimeout: 1 })).rejects.toThrow(/Nobody is listening on subject/);
	});

	describe('when every slot is busy', () => {
		it('does not start an execution for a request whose asker (the JetStream node) has stopped waiting', async () => {
			const subject = serviceSubject();
			const fake = await listen({ subject, options: { parallelExecutions: 1 } }, () => ({ succeedAfterMs: 1_500 }));
			const first = suite.nc.request(subject, '{"n":1}', { timeout: 3_000 });
			await eventually(() => fake.emissions.length === 1, 2_000, 'the first request running');
			// The node's request gives up after 500 ms, long before the slot frees.
			await expect(suite.run({ operation: 'request', subject, requestTimeout: 0.5 }, [{ json: { n: 2 } }])).rejects.toThrow(/No answer on ".*" after 0.5 s/);
			await first;
			await new Promise((resolve) => setTimeout(resolve, 500));
			expect(fake.emissions).toHaveLength(1);
		});

		it('answers "busy" (503) after Max Wait for a Free Slot, and at once beyond ten waiting per slot', async () => {
			const subject = serviceSubject();
			const fake = await listen({ subject, options: { parallelExecutions: 1, maxWait: 0.5 } }, () => ({ succeedAfterMs: 2_000 }));
			const first = suite.nc.request(subject, '{}', { timeout: 5_000 });
			await eventually(() => fake.emissions.length === 1, 2_000, 'the first request running');
			const started = Date.now();
			const waited = await suite.nc.request(subject, '{}', { timeout: 3_000 });
			expect(Date.now() - started).toBeGreaterThanOrEqual(450);
			expect(waited.headers?.get('Nats-Service-Error-Code')).toBe('503');
			expect(waited.headers?.get('Nats-Service-Error')).toMatch(/stayed busy for 0.5 s/);
			await first;
			expect(fake.emissions).toHaveLength(1);

			const crowded = await listen({ subject: serviceSubject(), queueGroup: '', options: { parallelExecutions: 1, maxWait: 30 } }, () => ({ succeedAfterMs: 1_500 }));
			const crowdedSubject = String(crowded.context.getNodeParameter('subject', ''));
			const pending = Array.from({ length: 12 }, () => suite.nc.request(crowdedSubject, '{}', { timeout: 20_000 }).catch((e: Error) => e));
			const answers = await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 1_000, 'timeout'))]);
			expect(answers).toBe('timeout');
			// 1 running + 10 waiting: the twelfth was refused at once.
			const refused = await Promise.race(pending.map(async (p) => await p));
			expect((refused as { headers?: { get(k: string): string } }).headers?.get('Nats-Service-Error')).toMatch(/10 requests waiting already/);
		}, 30_000);
	});

	describe('Reply With: Reply Node (how a workflow answers in queue mode)', () => {
		it('the JetStream node\'s Reply answers the request; the trigger sends nothing more, and answers a failure itself', async () => {
			const subject = serviceSubject();
			const fake = await listen({ subject, replyWith: 'replyNode' }, async ({ items }) => {
				const sku = (items[0].json.payload as { sku?: string }).sku;
				if (!sku) return { failWith: 'The request needs a sku', node: 'Check' };
				// What the Reply node at the end of the workflow does, with the trigger's item as input.
				await suite.run({ operation: 'reply', replyTo: items[0].json.replyTo, payloadSource: 'json' }, [{ json: { sku, price: 19 } }]);
				return 'succeed';
			});
			// A raw inbox counts every answer sent for the request, not only the first.
			const inbox = `_INBOX.${uniqueName('r').toLowerCase()}`;
			const answers: string[] = [];
			const sub = suite.nc.subscribe(inbox, {
				callback: (_e, msg) => {
					answers.push(decode(msg.data));
				},
			});
			suite.nc.publish(subject, '{"sku":"A-1"}', { reply: inbox });
			await eventually(() => fake.emissions.length === 1 && fake.emissions[0].outcome === 'succeeded', 3_000, 'the execution');
			await new Promise((resolve) => setTimeout(resolve, 300));
			expect(answers.map((a) => JSON.parse(a))).toEqual([{ sku: 'A-1', price: 19 }]);
			expect(fake.items()[0].json.replyTo).toBe(inbox);
			sub.unsubscribe();
			const failed = await suite.nc.request(subject, '{}', { timeout: 3000 });
			expect(failed.headers?.get('Nats-Service-Error')).toBe('The request needs a sku');
		});

		it('Reply refuses an empty reply subject, saying where it should come from', async () => {
			await expect(suite.run({ operation: 'reply', replyTo: '', payloadSource: 'json' })).rejects.toThrow(/"Reply To" is empty for item 1/);
		});

		it('in queue mode, refuses to take the reply from the last node (n8n does not return a worker\'s output) and names the fix', async () => {
			const before = process.env.EXECUTIONS_MODE;
			process.env.EXECUTIONS_MODE = 'queue';
			try {
				await expect(listen({ subject: serviceSubject(), replyWith: 'firstItem' })).rejects.toThrow(/In queue mode the reply cannot be taken from the last node/);
				await listen({ subject: serviceSubject(), replyWith: 'replyNode' });
			} finally {
				if (before === undefined) delete process.env.EXECUTIONS_MODE;
				else process.env.EXECUTIONS_MODE = before;
			}
		});
	});
});
