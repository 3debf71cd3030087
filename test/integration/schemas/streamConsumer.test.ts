import { uniqueName } from '../../helpers/natsServer';
import { schemaSuite } from './harness';

/** Stream and Consumer operations: their real output matches their output schemas, in every case. */

const suite = schemaSuite('schemas-stream');

describe('Stream output', () => {
	it('create, update (changed and unchanged) and create or update (created, updated, unchanged) match their schemas', async () => {
		const name = uniqueName('NEW');
		const subjects = `${name.toLowerCase()}.>`;
		suite.later(() => suite.jsm.streams.delete(name));
		const [created] = await suite.check('stream', 'create', { stream: name, streamSubjects: subjects, streamOptions: { maxMessages: 100 } });
		expect(created.action).toBe('created');
		const [again] = await suite.check('stream', 'create', { stream: name, streamSubjects: subjects, streamOptions: { maxMessages: 100 } });
		expect(again).toMatchObject({ action: 'unchanged', changes: [] });
		await suite.js.publish(`${name.toLowerCase()}.a`, 'one');
		const [updated] = await suite.check('stream', 'update', { stream: name, streamSubjects: '', streamOptions: { maxMessages: 200 } });
		expect(updated.action).toBe('updated');
		expect((await suite.check('stream', 'update', { stream: name, streamSubjects: '', streamOptions: { maxMessages: 200 } }))[0].action).toBe('unchanged');

		const other = uniqueName('UPS');
		suite.later(() => suite.jsm.streams.delete(other));
		const upsert = (maxMessages: number) => ({ stream: other, streamSubjects: `${other.toLowerCase()}.>`, streamOptions: { maxMessages } });
		const actions = [];
		for (const limit of [10, 20, 20]) actions.push((await suite.check('stream', 'upsert', upsert(limit)))[0].action);
		expect(actions).toEqual(['created', 'updated', 'unchanged']);
	});

	it('get, get many, purge and delete (existing and missing) match their schemas', async () => {
		await suite.js.publish(`${suite.prefix}a`, 'a');
		await suite.js.publish(`${suite.prefix}b`, 'b');
		await suite.check('stream', 'get', { stream: suite.stream });
		expect(await suite.check('stream', 'getAll', { listSubject: '', returnAll: true })).not.toHaveLength(0);
		expect((await suite.check('stream', 'purge', { stream: suite.stream, purgeSubject: `${suite.prefix}a`, purgeKeep: 'nothing' }))[0].purged).toBe(1);
		const empty = uniqueName('EMPTY');
		await suite.jsm.streams.add({ name: empty, subjects: [`${empty.toLowerCase()}.>`] });
		await suite.check('stream', 'get', { stream: empty });
		expect(await suite.check('stream', 'delete', { stream: empty })).toEqual([{ stream: empty, deleted: true }]);
		expect(await suite.check('stream', 'delete', { stream: empty, ignoreMissing: true })).toEqual([{ stream: empty, deleted: false, existed: false }]);
	});
});

describe('Consumer output', () => {
	const consumer = (params: Record<string, unknown> = {}) => ({
		stream: suite.stream,
		consumerName: 'billing',
		deliverPolicy: 'all',
		ackWaitSeconds: 30,
		maxDeliver: 5,
		backoff: '',
		maxAckPending: 1000,
		filterSubjects: '',
		...params,
	});

	it('create (created and unchanged), create or update (updated, unchanged) and update match their schemas', async () => {
		await suite.js.publish(`${suite.prefix}orders`, 'one');
		expect((await suite.check('consumer', 'create', consumer({ filterSubjects: `${suite.prefix}orders` })))[0].action).toBe('created');
		expect((await suite.check('consumer', 'create', consumer({ filterSubjects: `${suite.prefix}orders` })))[0].action).toBe('unchanged');
		const wanted = consumer({ filterSubjects: `${suite.prefix}orders`, maxDeliver: 8, backoff: '1, 5' });
		expect((await suite.check('consumer', 'upsert', wanted))[0].action).toBe('updated');
		expect((await suite.check('consumer', 'upsert', wanted))[0].action).toBe('unchanged');
		expect((await suite.check('consumer', 'update', { ...wanted, consumerDescription: 'billing reader' }))[0].action).toBe('updated');
		expect((await suite.check('consumer', 'upsert', consumer({ consumerName: 'fresh' })))[0].action).toBe('created');
	});

	it('get, get many and delete match their schemas', async () => {
		await suite.jsm.consumers.add(suite.stream, { durable_name: 'reader' });
		await suite.check('consumer', 'get', { stream: suite.stream, consumerName: 'reader' });
		await suite.check('consumer', 'getAll', { stream: suite.stream, returnAll: true });
		expect(await suite.check('consumer', 'delete', { stream: suite.stream, consumerName: 'reader' })).toEqual([{ stream: suite.stream, consumer: 'reader', deleted: true }]);
	});
});
