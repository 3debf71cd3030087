import type { IDataObject } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { deadLetter, type DeadLetterReason } from '../../../nodes/shared/deadLetter';
import { connectionPool } from '../../../nodes/shared/transport';
import { fakeExecute, type ParamValue } from '../../helpers/fakeExecute';
import { startNatsServer, uniqueName, type NatsServer } from '../../helpers/natsServer';
import { dlqFixture, type DlqFixture } from './harness';

/** The JetStream node's "Dead Letter" resource, run the way n8n runs it. */

let server: NatsServer;
let fx: DlqFixture | undefined;
const node = new JetStream();

beforeAll(async () => {
	server = await startNatsServer({ label: 'dlq-action' });
});

afterEach(async () => {
	await fx?.close();
	fx = undefined;
});

afterAll(async () => {
	await connectionPool.closeAll();
	await server.cleanup();
});

async function run(params: Record<string, ParamValue>, continueOnFail = false): Promise<IDataObject[]> {
	const { context } = fakeExecute({
		params: { resource: 'deadLetter', ...params },
		credentials: { servers: server.url },
		continueOnFail,
	});
	const [out] = await node.execute.call(context);
	return out.map((item) => item.json);
}

async function seed(f: DlqFixture, bodies: Array<[string, DeadLetterReason]>): Promise<number[]> {
	const seqs: number[] = [];
	for (const [body, reason] of bodies) {
		await f.publish(body, { 'X-Order': body });
		const [msg] = await f.fetch();
		const result = await deadLetter(f.client, msg, { reason, error: `failed ${body}`, subjectPrefix: f.prefix, failedNode: 'Code' });
		if (result.status !== 'dead-lettered') throw new Error(result.error.message);
		seqs.push(result.dlqSequence);
	}
	return seqs;
}

describe('JetStream node → Dead Letter', () => {
	it('creates the dead-letter stream with the chosen limits', async () => {
		fx = await dlqFixture(server, { withDlq: false });
		const name = uniqueName('NODEDLQ');
		try {
			const [out] = await run({ operation: 'createStream', dlqStream: name, subjects: `${name.toLowerCase()}.>`, maxAgeDays: 2, maxMessages: 500 });
			expect(out).toMatchObject({ created: true, name, subjects: [`${name.toLowerCase()}.>`], maxAgeMs: 2 * 86_400_000, maxMessages: 500 });
		} finally {
			await fx.jsm.streams.delete(name);
		}
	});

	it('lists with filters and gets one dead letter, decoding payload and reason', async () => {
		fx = await dlqFixture(server);
		const seqs = await seed(fx, [
			['{"id":1}', 'parse-error'],
			['plain text', 'max-deliveries'],
		]);

		const all = await run({ operation: 'getAll', dlqStream: fx.dlqStream, limit: 50, filters: {} });
		const maxed = await run({ operation: 'getAll', dlqStream: fx.dlqStream, limit: 50, filters: { reasons: ['max-deliveries'] } });
		const [one] = await run({ operation: 'get', dlqStream: fx.dlqStream, sequence: seqs[0] });

		expect(all).toHaveLength(2);
		expect(all[1]).toMatchObject({ payload: 'plain text', payloadEncoding: 'text', reason: 'max-deliveries', failedNode: 'Code' });
		expect(maxed.map((r) => r.dlqSequence)).toEqual([seqs[1]]);
		expect(one).toMatchObject({
			dlqSequence: seqs[0],
			payload: { id: 1 },
			payloadEncoding: 'json',
			reason: 'parse-error',
			error: 'failed {"id":1}',
			originalStream: fx.stream,
			originalSubject: fx.subject,
			headers: { 'X-Order': '{"id":1}' },
		});
	});

	it('says which sequence is missing, and returns an error item with Continue On Fail', async () => {
		fx = await dlqFixture(server);
		await expect(run({ operation: 'get', dlqStream: fx.dlqStream, sequence: 42 })).rejects.toThrow(/has no message with sequence 42/);
		const [item] = await run({ operation: 'redrive', dlqStream: fx.dlqStream, select: 'sequences', sequences: '4-x', targetSubject: '' }, true);
		expect(item.error).toMatch(/"4-x" in "Sequences" is not a sequence number or range/);
	});

	it.each([
		['get', { sequence: 1 }],
		['getAll', { limit: 10, filters: {} }],
		['purge', { purgeMode: 'all' }],
		['redrive', { select: 'sequences', sequences: '1', targetSubject: '' }],
	])('%s on a dead-letter stream that does not exist points to Dead Letter → Create Stream', async (operation, params) => {
		const missing = uniqueName('NODLQ');
		const error = await run({ operation, dlqStream: missing, ...params }).then(
			() => new Error('the operation succeeded on a stream that does not exist'),
			(e: Error & { description?: string }) => e,
		);
		expect(error.message).toBe(`The dead-letter stream "${missing}" does not exist`);
		expect((error as Error & { description?: string }).description).toMatch(/create it with a JetStream node set to Dead Letter → Create Stream, run on its own \(not connected after this node\) or in another workflow/);
		expect(`${error.message} ${(error as Error & { description?: string }).description}`).not.toMatch(/Stream → Create or Update|Ensure/);
	});

	it('redrives by sequence once; a second run publishes nothing', async () => {
		// A long ack wait, so the fetch below never sees a redelivery of what it already got.
		fx = await dlqFixture(server, { ackWaitMs: 10_000 });
		const seqs = await seed(fx, [
			['a', 'rejected'],
			['b', 'rejected'],
		]);
		const params = { operation: 'redrive', dlqStream: fx.dlqStream, select: 'sequences', sequences: seqs.join(','), targetSubject: '' };

		const [first] = await run(params);
		const [second] = await run(params);

		expect(first).toMatchObject({ redriven: 2, duplicates: 0, failed: 0 });
		expect(second).toMatchObject({ redriven: 0, skipped: 2 });
		const republished = await fx.fetch(5, 1_500);
		expect(republished.map((m) => new TextDecoder().decode(m.data))).toEqual(['a', 'b']);
		republished.forEach((m) => m.ack());
	});

	it('purges by filter and leaves the others', async () => {
		fx = await dlqFixture(server);
		const seqs = await seed(fx, [
			['a', 'parse-error'],
			['b', 'schema-invalid'],
		]);

		const [out] = await run({ operation: 'purge', dlqStream: fx.dlqStream, purgeMode: 'filter', filters: { reasons: ['schema-invalid'] } });

		expect(out).toEqual({ dlqStream: fx.dlqStream, purged: 1 });
		const left = await run({ operation: 'getAll', dlqStream: fx.dlqStream, limit: 10, filters: {} });
		expect(left.map((r) => r.dlqSequence)).toEqual([seqs[0]]);
	});
});
