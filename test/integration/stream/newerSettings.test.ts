import { jetstream } from '@nats-io/jetstream';

import { serverAtLeast, serverVersion, uniqueName } from '../../helpers/natsServer';
import { expectOperationOutput } from '../../helpers/outputSchemas';
import { json, messageSuite } from '../message/harness';

/** Stream → Create / Create or Update with the settings servers 2.10–2.12 added. */

const suite = messageSuite('stream-newer');
const run = async (params: Record<string, unknown>) => json((await suite.run({ resource: 'stream', ...params })).out);
const version = serverVersion();

describe('Stream settings of newer servers', () => {
	if (serverAtLeast('2.12.0')) {
		it('creates a stream with every newer setting, and Create or Update with the same settings changes nothing', async () => {
			const name = uniqueName('S');
			const subj = name.toLowerCase();
			const streamOptions = {
				allowMsgTtl: true,
				subjectDeleteMarkerTtlSeconds: 60,
				allowMsgSchedules: true,
				allowAtomic: true,
				metadata: '{"owner": "billing"}',
				subjectTransformSource: `${subj}.in.*`,
				subjectTransformDestination: `${subj}.stored.{{wildcard(1)}}`,
			};
			try {
				const [created] = await run({ operation: 'create', stream: name, streamSubjects: `${subj}.>`, streamOptions });
				expect(created).toMatchObject({ action: 'created', allows: { perMessageTtl: true, messageSchedules: true, counters: false, atomicBatches: true }, metadata: { owner: 'billing' } });
				expectOperationOutput('stream', 'create', [created]);
				const { config } = await suite.jsm.streams.info(name);
				expect(config).toMatchObject({
					allow_msg_ttl: true,
					subject_delete_marker_ttl: 60e9,
					allow_msg_schedules: true,
					allow_atomic: true,
					subject_transform: { src: `${subj}.in.*`, dest: `${subj}.stored.{{wildcard(1)}}` },
				});
				expect(config.metadata).toMatchObject({ owner: 'billing' });
				const [again] = await run({ operation: 'upsert', stream: name, streamSubjects: `${subj}.>`, streamOptions });
				expect(again).toMatchObject({ action: 'unchanged', changes: [] });
				// The transform is real: a message published on .in.x is stored as .stored.x.
				const ack = await jetstream(suite.nc).publish(`${subj}.in.x`, 'hello');
				expect((await suite.jsm.streams.getMessage(name, { seq: ack.seq }))?.subject).toBe(`${subj}.stored.x`);
			} finally {
				await suite.jsm.streams.delete(name).catch(() => false);
			}
		});

		it('creates a counter stream (counters and per-message TTL exclude each other: the server says so)', async () => {
			const name = uniqueName('S');
			try {
				await run({ operation: 'create', stream: name, streamSubjects: `${name.toLowerCase()}.>`, streamOptions: { allowMsgCounter: true } });
				expect((await suite.jsm.streams.info(name)).config.allow_msg_counter).toBe(true);
				const other = uniqueName('S');
				await expect(run({ operation: 'create', stream: other, streamSubjects: `${other.toLowerCase()}.>`, streamOptions: { allowMsgCounter: true, allowMsgTtl: true } })).rejects.toThrow(
					/counter stream cannot use message TTLs/,
				);
			} finally {
				await suite.jsm.streams.delete(name).catch(() => false);
			}
		});
	}

	if (!serverAtLeast('2.11.0')) {
		it('refuses a newer setting on an older server and creates nothing', async () => {
			const name = uniqueName('S');
			await expect(run({ operation: 'create', stream: name, streamSubjects: `${name.toLowerCase()}.>`, streamOptions: { allowMsgTtl: true } })).rejects.toThrow(
				`The stream setting "Allow Per-Message TTL" needs NATS server 2.11.0 or newer; this server runs ${version}`,
			);
			await expect(suite.jsm.streams.info(name)).rejects.toThrow(/stream not found/);
		});
	}
});
