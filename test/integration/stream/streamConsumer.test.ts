import { jetstream } from '@nats-io/jetstream';

import { uniqueName } from '../../helpers/natsServer';
import { json, messageSuite } from '../message/harness';

/** Stream and Consumer resources of the JetStream node against a real nats-server. */

const suite = messageSuite('stream-consumer');
const run = async (resource: string, params: Record<string, unknown>) => json((await suite.run({ resource, ...params })).out);

describe('Stream resource', () => {
	it('create → get → update → create or update twice → get many → purge by subject → delete', async () => {
		const name = uniqueName('S');
		const subj = name.toLowerCase();
		const [created] = await run('stream', { operation: 'create', stream: name, streamSubjects: `${subj}.>`, streamOptions: { maxMessages: 100, duplicateWindowSeconds: 30 } });
		expect(created).toMatchObject({ action: 'created', name, subjects: [`${subj}.>`], maxMessages: 100, duplicateWindowSeconds: 30, storage: 'file' });

		const js = jetstream(suite.nc);
		await js.publish(`${subj}.a`, 'a1');
		await js.publish(`${subj}.a`, 'a2');
		await js.publish(`${subj}.b`, 'b1');
		const [info] = await run('stream', { operation: 'get', stream: name });
		expect(info.state).toMatchObject({ messages: 3, firstSequence: 1, lastSequence: 3, consumerCount: 0 });

		const [updated] = await run('stream', { operation: 'update', stream: name, streamSubjects: '', streamOptions: { maxMessages: 200 } });
		expect(updated).toMatchObject({ action: 'updated', changes: [{ setting: 'max_msgs', from: 100, to: 200 }], subjects: [`${subj}.>`] });

		const ensure = { operation: 'upsert', stream: name, streamSubjects: `${subj}.>, ${subj}x.>`, streamOptions: { maxMessages: 200, maxAgeDays: 1 } };
		const [first] = await run('stream', ensure);
		expect(first.action).toBe('updated');
		expect((first.changes as Array<{ setting: string }>).map((c) => c.setting).sort()).toEqual(['max_age', 'subjects']);
		const [second] = await run('stream', ensure);
		expect(second).toMatchObject({ action: 'unchanged', changes: [] });

		const listed = await run('stream', { operation: 'getAll', listSubject: `${subj}.a` });
		expect(listed.map((s) => s.name)).toEqual([name]);

		const [purged] = await run('stream', { operation: 'purge', stream: name, purgeSubject: `${subj}.a`, purgeKeep: 'nothing' });
		expect(purged).toEqual({ stream: name, purged: 2 });
		expect((await suite.jsm.streams.info(name)).state.messages).toBe(1);

		expect(await run('stream', { operation: 'delete', stream: name })).toEqual([{ stream: name, deleted: true }]);
		expect(await run('stream', { operation: 'delete', stream: name, ignoreMissing: true })).toEqual([{ stream: name, deleted: false, existed: false }]);
		await expect(run('stream', { operation: 'delete', stream: name })).rejects.toThrow(new RegExp(`Stream "${name}" does not exist`));
	});

	it('Get Many returns at most Limit streams and consumers, every one with Return All', async () => {
		const prefix = uniqueName('GM').toLowerCase();
		const names = [1, 2, 3].map((n) => `${prefix.toUpperCase()}_${n}`);
		for (const [k, name] of names.entries()) await suite.jsm.streams.add({ name, subjects: [`${prefix}.${k}.>`] });
		try {
			const storing = { operation: 'getAll', listSubject: `${prefix}.>` };
			expect(await run('stream', { ...storing, limit: 2 })).toHaveLength(2);
			expect((await run('stream', { ...storing, returnAll: true, limit: 1 })).map((s) => s.name).sort()).toEqual(names);
			for (const durable of ['a', 'b', 'c']) await suite.jsm.consumers.add(names[0], { durable_name: durable });
			expect(await run('consumer', { operation: 'getAll', stream: names[0], limit: 1 })).toHaveLength(1);
			expect((await run('consumer', { operation: 'getAll', stream: names[0], returnAll: true })).map((c) => c.name).sort()).toEqual(['a', 'b', 'c']);
		} finally {
			for (const name of names) await suite.jsm.streams.delete(name);
		}
	});

	it('create or update creates a missing stream and keeps the newest N on purge', async () => {
		const name = uniqueName('S');
		const [made] = await run('stream', { operation: 'upsert', stream: name, streamSubjects: `${name.toLowerCase()}.>` });
		expect(made.action).toBe('created');
		const js = jetstream(suite.nc);
		for (let i = 0; i < 5; i++) await js.publish(`${name.toLowerCase()}.x`, String(i));
		expect(await run('stream', { operation: 'purge', stream: name, purgeKeep: 'newest', purgeKeepCount: 2 })).toEqual([{ stream: name, purged: 3 }]);
		await suite.jsm.streams.delete(name);
	});

	it('refuses what the server would refuse, saying why', async () => {
		const name = uniqueName('S');
		await run('stream', { operation: 'create', stream: name, streamSubjects: `${name.toLowerCase()}.>` });
		try {
			await expect(run('stream', { operation: 'upsert', stream: name, streamSubjects: `${name.toLowerCase()}.>`, streamOptions: { storage: 'memory' } })).rejects.toThrow(/has Storage "file"; it cannot be changed to "memory"/);
			await expect(run('stream', { operation: 'create', stream: name, streamSubjects: `${name.toLowerCase()}.other` })).rejects.toThrow(
				`Stream "${name}" already exists with other settings (subjects: ["${name.toLowerCase()}.>"] → ["${name.toLowerCase()}.other"])`,
			);
			// The same settings again: nothing made, and the output says so (the server answers as if it had made it).
			const [again] = await run('stream', { operation: 'create', stream: name, streamSubjects: `${name.toLowerCase()}.>` });
			expect(again).toMatchObject({ action: 'unchanged', changes: [] });
			const other = uniqueName('S');
			await expect(run('stream', { operation: 'create', stream: other, streamSubjects: `${name.toLowerCase()}.x` })).rejects.toThrow(
				`Stream "${other}" cannot store ${name.toLowerCase()}.x: stream "${name}" already stores some of these subjects`,
			);
			await expect(run('stream', { operation: 'create', stream: 'bad name', streamSubjects: 'x.y' })).rejects.toThrow(/"bad name" is not a valid stream name/);
			await expect(run('stream', { operation: 'create', stream: uniqueName('S'), streamSubjects: '' })).rejects.toThrow(/"Subjects" is empty/);
			await expect(run('stream', { operation: 'update', stream: 'NO_SUCH', streamSubjects: '' })).rejects.toThrow(/Stream "NO_SUCH" does not exist/);
			// An update that widens a stream onto another's subjects names the other one, not itself.
			const neighbour = uniqueName('S');
			await run('stream', { operation: 'create', stream: neighbour, streamSubjects: `${neighbour.toLowerCase()}.>` });
			try {
				await expect(run('stream', { operation: 'update', stream: neighbour, streamSubjects: `${neighbour.toLowerCase()}.>, ${name.toLowerCase()}.y` })).rejects.toThrow(
					new RegExp(`: stream "${name}" already stores some of these subjects$`),
				);
			} finally {
				await suite.jsm.streams.delete(neighbour);
			}
		} finally {
			await suite.jsm.streams.delete(name);
		}
	});
});

describe('Consumer resource', () => {
	const consumer = (params: Record<string, unknown>) => ({ stream: suite.stream, consumerName: 'billing', deliverPolicy: 'all', ackWaitSeconds: 30, maxDeliver: 5, backoff: '', maxAckPending: 1000, filterSubjects: '', ...params });

	it('create → get with lag → create or update twice → update → get many → delete', async () => {
		const js = jetstream(suite.nc);
		for (let i = 0; i < 4; i++) await js.publish(`${suite.prefix}created`, String(i));
		const [created] = await run('consumer', { operation: 'create', ...consumer({ filterSubjects: `${suite.prefix}created` }) });
		expect(created).toMatchObject({ action: 'created', name: 'billing', lag: 4, ackPending: 0, config: { filterSubjects: [`${suite.prefix}created`], maxDeliver: 5 } });

		const [info] = await run('consumer', { operation: 'get', stream: suite.stream, consumerName: 'billing' });
		expect(info).toMatchObject({ lag: 4, redelivered: 0, ackFloor: { streamSequence: 0 } });

		const wanted = consumer({ filterSubjects: `${suite.prefix}created`, maxDeliver: 8, backoff: '1, 5' });
		const [first] = await run('consumer', { operation: 'upsert', ...wanted });
		expect(first.action).toBe('updated');
		expect((first.changes as Array<{ setting: string }>).map((c) => c.setting).sort()).toEqual(['ackWait', 'backoff', 'maxDeliver']);
		const [second] = await run('consumer', { operation: 'upsert', ...wanted });
		expect(second).toMatchObject({ action: 'unchanged', changes: [] });

		const [updated] = await run('consumer', { operation: 'update', ...wanted, consumerDescription: 'billing reader' });
		expect(updated).toMatchObject({ action: 'updated', config: { description: 'billing reader' } });

		const listed = await run('consumer', { operation: 'getAll', stream: suite.stream });
		expect(listed.map((c) => [c.name, c.lag])).toEqual([['billing', 4]]);

		expect(await run('consumer', { operation: 'delete', stream: suite.stream, consumerName: 'billing' })).toEqual([{ stream: suite.stream, consumer: 'billing', deleted: true }]);
	});

	it('refuses bad settings and impossible changes with the reason', async () => {
		await expect(run('consumer', { operation: 'create', ...consumer({ maxDeliver: 2, backoff: '1, 2' }) })).rejects.toThrow(/"Max Deliver" \(2\) must be greater than the number of backoff delays \(2\)/);
		await expect(run('consumer', { operation: 'create', ...consumer({ stream: 'NO_SUCH' }) })).rejects.toThrow(/Stream "NO_SUCH" does not exist/);
		await expect(run('consumer', { operation: 'update', ...consumer({ consumerName: 'ghost' }) })).rejects.toThrow(/Consumer "ghost" does not exist/);
		await expect(run('consumer', { operation: 'get', stream: suite.stream, consumerName: 'ghost' })).rejects.toThrow(/Consumer "ghost" does not exist/);
		await run('consumer', { operation: 'create', ...consumer({}) });
		await expect(run('consumer', { operation: 'upsert', ...consumer({ deliverPolicy: 'new' }) })).rejects.toThrow(/exists with Deliver Policy "all"; it cannot be changed to "new"/);
		await expect(run('consumer', { operation: 'create', ...consumer({ maxDeliver: 9 }) })).rejects.toThrow(/Consumer "billing" already exists on stream .* with other settings \(maxDeliver: 5 → 9\)/);
		expect(await run('consumer', { operation: 'create', ...consumer({}) })).toMatchObject([{ action: 'unchanged' }]);
	});
});
