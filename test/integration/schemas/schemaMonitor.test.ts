import { deadLetter } from '../../../nodes/shared/deadLetter';
import { StatsBucket } from '../../../nodes/shared/stats/bucket';
import { figuresToJson, type StatsEntry } from '../../../nodes/shared/stats/entry';
import { emptyFigures } from '../../../nodes/shared/stats/figures';
import { connectionPool, parseCredentials } from '../../../nodes/shared/transport';
import { uniqueName } from '../../helpers/natsServer';
import { dlqFixture } from '../deadLetter/harness';
import { schemaSuite } from './harness';

/** Schema and Monitor operations: their real output matches their output schemas, in every case. */

const suite = schemaSuite('schemas-registry-monitor');

describe('Schema output', () => {
	it('register, get, get many, set compatibility, delete version and validate match their schemas', async () => {
		const registryBucket = uniqueName('reg').toLowerCase();
		suite.later(() => suite.jsm.streams.delete(`KV_${registryBucket}`));
		const schemaName = 'order.created';
		const v1 = { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] };
		const common = { schemaName, registryBucket };
		await suite.check('schema', 'register', { ...common, schemaDocument: JSON.stringify(v1) });
		await suite.check('schema', 'register', { ...common, schemaDocument: JSON.stringify({ ...v1, properties: { ...v1.properties, note: { type: 'string' } } }) });
		await suite.check('schema', 'get', { ...common, schemaVersion: 0 });
		await suite.check('schema', 'getAll', { registryBucket, returnAll: true });
		await suite.check('schema', 'setCompatibility', { ...common, compatibility: 'none' });
		await suite.check('schema', 'deleteVersion', { ...common, schemaVersion: 2 });
		const inline = { schemaSource: 'inline', schemaJson: JSON.stringify(v1) };
		const validated = await suite.check('schema', 'validate', inline, [{ json: { orderId: 'A' } }, { json: { total: 'x' } }]);
		expect(validated.map((v) => v.valid)).toEqual([true, false]);
		await suite.check('schema', 'validate', { schemaSource: 'registry', schemaRef: `${schemaName}@1`, schemaBucket: registryBucket }, [{ json: { orderId: 'A' } }]);
	});
});

describe('Monitor output', () => {
	it('consumer health (without and with dead letters) matches its schema', async () => {
		await suite.jsm.consumers.add(suite.stream, { durable_name: 'idle' });
		const [idle] = await suite.check('monitor', 'consumerHealth', { stream: suite.stream, consumerName: 'idle', healthOptions: { deadLetterStream: '' } });
		expect(idle).toMatchObject({ deadLetters: null, lastDeliveredAt: null });

		const fx = await dlqFixture(suite.server, { ackWaitMs: 10_000 });
		suite.later(() => fx.close());
		await fx.publish('bad');
		await fx.publish('waiting');
		const [msg] = await fx.fetch();
		const result = await deadLetter(fx.client, msg, { reason: 'rejected', error: 'bad order', subjectPrefix: fx.prefix });
		expect(result.status).toBe('dead-lettered');
		const [failing] = await suite.check('monitor', 'consumerHealth', { stream: fx.stream, consumerName: fx.durable, healthOptions: { deadLetterStream: fx.dlqStream } });
		expect(failing).toMatchObject({ status: 'failing', deadLetters: { total: 1, byReason: { rejected: 1 } } });
	});

	it('trigger statistics (no trigger, then two) match their schema', async () => {
		const statsBucket = uniqueName('stats').toLowerCase();
		suite.later(() => suite.jsm.streams.delete(`KV_${statsBucket}`));
		const params = { stream: suite.stream, consumerName: 'orders', statsBucket };
		expect((await suite.check('monitor', 'triggerStatistics', params))[0]).toMatchObject({ triggers: 0, pending: null, lastMessageAt: null });

		const quiet = { debug() {}, info() {}, warn() {}, error() {} } as never;
		const lease = await connectionPool.acquire(parseCredentials({ servers: suite.server.url, authType: 'none' }), quiet);
		try {
			const bucket = await StatsBucket.open(lease.client, statsBucket, true);
			const busy = emptyFigures();
			Object.assign(busy, { received: 3, succeeded: 2, failed: 1, deadLettered: { rejected: 1 } });
			busy.latency.observe(12);
			busy.execution.observe(40);
			const now = new Date().toISOString();
			const entry = (instance: string, figures = emptyFigures(), extra: Partial<StatsEntry> = {}): StatsEntry => ({
				stream: suite.stream,
				consumer: 'orders',
				workflowId: 'wf-1',
				workflowName: 'Orders',
				node: 'JetStream Trigger',
				instance,
				intervalSeconds: 10,
				recentSeconds: 60,
				activeSince: now,
				updatedAt: now,
				up: true,
				recent: figuresToJson(figures),
				totals: figuresToJson(figures),
				...extra,
			});
			await bucket.write(entry('a', busy, { pending: 4, lastMessageAt: now, lastSuccessAt: now }));
			await bucket.write(entry('b', emptyFigures(), { up: false }));
		} finally {
			lease.release();
		}
		const [stats] = await suite.check('monitor', 'triggerStatistics', params);
		expect(stats).toMatchObject({ triggers: 2, triggersUp: 1, pending: 4, recent: { received: 3, deadLettered: 1 } });
	});
});
