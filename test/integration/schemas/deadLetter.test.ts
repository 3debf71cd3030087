import { deadLetter, type DeadLetterOptions } from '../../../nodes/shared/deadLetter';
import { uniqueName } from '../../helpers/natsServer';
import { dlqFixture, type DlqFixture } from '../deadLetter/harness';
import { schemaSuite } from './harness';

/** Dead Letter operations: their real output matches their output schemas, in every case. */

const suite = schemaSuite('schemas-dlq');

async function fixture(): Promise<DlqFixture> {
	// A long ack wait: a fetch never sees a redelivery of what it already got.
	const fx = await dlqFixture(suite.server, { ackWaitMs: 10_000 });
	suite.later(() => fx.close());
	return fx;
}

async function seed(fx: DlqFixture, body: string | Uint8Array, headers: Record<string, string>, options: Partial<DeadLetterOptions> = {}): Promise<number> {
	await fx.publish(body, headers);
	const [msg] = await fx.fetch();
	const result = await deadLetter(fx.client, msg, { reason: 'rejected', error: 'failed', subjectPrefix: fx.prefix, ...options });
	if (result.status !== 'dead-lettered') throw new Error(result.error.message);
	return result.dlqSequence;
}

describe('Dead Letter output', () => {
	it('create stream (new and existing) matches its schema', async () => {
		const name = uniqueName('NODEDLQ');
		suite.later(() => suite.jsm.streams.delete(name));
		const params = { dlqStream: name, subjects: `${name.toLowerCase()}.>`, maxAgeDays: 2, maxMessages: 500 };
		expect((await suite.check('deadLetter', 'createStream', params))[0].created).toBe(true);
		expect((await suite.check('deadLetter', 'createStream', params))[0].created).toBe(false);
	});

	it('get and get many match their schemas, with every field known and with the unknown ones null', async () => {
		const fx = await fixture();
		const full = await seed(fx, '{"id":1,"card":"4111"}', { 'Nats-Msg-Id': 'order-1', 'X-Correlation-Id': 'c-1' }, {
			reason: 'max-deliveries',
			failedNode: 'Code',
			executionId: '42',
			workflowId: 'wf-1',
			executionStartedAt: new Date().toISOString(),
			redactFields: ['card'],
		});
		const bare = await seed(fx, new Uint8Array([0xff, 0xfe, 0x00]), {});
		const text = await seed(fx, 'plain text', { 'X-Many': 'a' });
		const [one] = await suite.check('deadLetter', 'get', { dlqStream: fx.dlqStream, sequence: full });
		expect(one).toMatchObject({ executionId: '42', workflowId: 'wf-1', originalMsgId: 'order-1', redactedFields: ['card'], payloadEncoding: 'json' });
		const [unknown] = await suite.check('deadLetter', 'get', { dlqStream: fx.dlqStream, sequence: bare });
		expect(unknown).toMatchObject({ executionId: null, workflowId: null, failedNode: null, originalMsgId: null, payloadEncoding: 'base64' });
		const all = await suite.check('deadLetter', 'getAll', { dlqStream: fx.dlqStream, limit: 50, filters: {} });
		expect(all.map((r) => r.dlqSequence)).toEqual([full, bare, text]);
	});

	it('redrive (redriven, then skipped) and purge match their schemas', async () => {
		const fx = await fixture();
		const seqs = [await seed(fx, 'a', {}), await seed(fx, 'b', {})];
		const params = { dlqStream: fx.dlqStream, select: 'sequences', sequences: seqs.join(','), targetSubject: '' };
		expect((await suite.check('deadLetter', 'redrive', params))[0]).toMatchObject({ redriven: 2 });
		expect((await suite.check('deadLetter', 'redrive', params))[0]).toMatchObject({ redriven: 0, skipped: 2 });
		(await fx.fetch(5, 1_000)).forEach((m) => m.ack());
		await seed(fx, 'c', {});
		expect(await suite.check('deadLetter', 'purge', { dlqStream: fx.dlqStream, purgeMode: 'all' })).toEqual([{ dlqStream: fx.dlqStream, purged: 1 }]);
	});
});
