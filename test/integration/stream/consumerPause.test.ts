import { AckPolicy, jetstream } from '@nats-io/jetstream';

import { serverAtLeast, serverVersion } from '../../helpers/natsServer';
import { expectOperationOutput } from '../../helpers/outputSchemas';
import { json, messageSuite } from '../message/harness';

/** Consumer → Pause / Resume (nats-server 2.11+) against a real server: a paused consumer delivers nothing. */

const suite = messageSuite('consumer-pause');
const run = async (params: Record<string, unknown>) => json((await suite.run({ resource: 'consumer', ...params })).out);
const version = serverVersion();

/** What one pull with a short expiry gets from the consumer. */
async function pullOnce(consumer: string): Promise<string[]> {
	const c = await jetstream(suite.nc).consumers.get(suite.stream, consumer);
	const got: string[] = [];
	const batch = await c.fetch({ max_messages: 10, expires: 1_000 });
	for await (const m of batch) {
		got.push(m.string());
		m.ack();
	}
	return got;
}

describe('Consumer → Pause / Resume', () => {
	if (serverAtLeast('2.11.0')) {
		it('a paused consumer delivers nothing until resumed, then delivers what waited', async () => {
			await suite.jsm.consumers.add(suite.stream, { durable_name: 'work', ack_policy: AckPolicy.Explicit });
			const until = new Date(Date.now() + 10 * 60_000);
			const [paused] = await run({ operation: 'pause', stream: suite.stream, consumerName: 'work', pauseUntil: until.toISOString() });
			expect(paused).toEqual({ stream: suite.stream, consumer: 'work', paused: true, pausedUntil: until.toISOString() });
			expectOperationOutput('consumer', 'pause', [paused]);
			await jetstream(suite.nc).publish(`${suite.prefix}job`, 'job-1');
			expect(await pullOnce('work')).toEqual([]);
			expect((await suite.jsm.consumers.info(suite.stream, 'work')).paused).toBe(true);
			const [seen] = await run({ operation: 'get', stream: suite.stream, consumerName: 'work' });
			expect(seen).toMatchObject({ paused: true, pausedUntil: until.toISOString() });
			expectOperationOutput('consumer', 'get', [seen]);

			const [resumed] = await run({ operation: 'resume', stream: suite.stream, consumerName: 'work' });
			expect(resumed).toEqual({ stream: suite.stream, consumer: 'work', paused: false, pausedUntil: null });
			expectOperationOutput('consumer', 'resume', [resumed]);
			expect(await pullOnce('work')).toEqual(['job-1']);
			expect((await run({ operation: 'get', stream: suite.stream, consumerName: 'work' }))[0]).toMatchObject({ paused: false, pausedUntil: null });
		});

		it('refuses a Pause Until that is not a date, naming the field and the item', async () => {
			await suite.jsm.consumers.add(suite.stream, { durable_name: 'work', ack_policy: AckPolicy.Explicit });
			await expect(run({ operation: 'pause', stream: suite.stream, consumerName: 'work', pauseUntil: 'tomorrow-ish' })).rejects.toThrow('"Pause Until" of item 1 is not a date and time');
		});
	} else {
		it('refuses Pause and Resume on a server older than 2.11, and the consumer keeps delivering', async () => {
			await suite.jsm.consumers.add(suite.stream, { durable_name: 'work', ack_policy: AckPolicy.Explicit });
			await expect(run({ operation: 'pause', stream: suite.stream, consumerName: 'work', pauseUntil: new Date(Date.now() + 60_000).toISOString() })).rejects.toThrow(
				`Consumer → Pause needs NATS server 2.11.0 or newer; this server runs ${version}`,
			);
			await expect(run({ operation: 'resume', stream: suite.stream, consumerName: 'work' })).rejects.toThrow(`Consumer → Resume needs NATS server 2.11.0 or newer; this server runs ${version}`);
			await jetstream(suite.nc).publish(`${suite.prefix}job`, 'job-1');
			expect(await pullOnce('work')).toEqual(['job-1']);
		});
	}
});
