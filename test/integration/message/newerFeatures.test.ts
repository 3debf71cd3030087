import type { StreamConfig } from '@nats-io/jetstream';

import { serverAtLeast, serverVersion, uniqueName } from '../../helpers/natsServer';
import { json, messageSuite } from './harness';

/**
 * Message → Publish with what newer servers add: Time To Live (2.11) and the expectations
 * (optimistic concurrency). Each version-bound option is refused on an older server before anything
 * is sent, naming the version it needs and the server's.
 */

const suite = messageSuite('message-newer');
const publish = (subject: string, publishOptions: Record<string, unknown>) => ({ operation: 'publish', subject, publishOptions });
const version = serverVersion();

/** A stream of its own with the given settings; deleted by the test. */
async function streamWith(settings: Partial<StreamConfig>): Promise<{ name: string; subject: string; remove: () => Promise<boolean> }> {
	const name = uniqueName('NEW');
	await suite.jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`], ...settings });
	return { name, subject: `${name.toLowerCase()}.a`, remove: () => suite.jsm.streams.delete(name) };
}

const count = async (stream: string) => (await suite.jsm.streams.info(stream)).state.messages;

describe('Message → Publish: expectations (optimistic concurrency)', () => {
	it('says which expectation failed and the current value, and stores nothing', async () => {
		const subject = `${suite.prefix}a`;
		await suite.run(publish(subject, {}));
		await expect(suite.run(publish(subject, { expectedLastSequence: 7 }))).rejects.toThrow(
			`Expected Last Sequence (7) did not hold for "${subject}": the current value is 1; nothing was stored`,
		);
		await expect(suite.run(publish(subject, { expectedLastSubjectSequence: 5 }))).rejects.toThrow(
			`Expected Last Subject Sequence (5) did not hold for "${subject}": the last message on "${subject}" has sequence 1; nothing was stored`,
		);
		expect(await count(suite.stream)).toBe(1);
	});

	it('stores only if the last message ID is the expected one, and names the current one otherwise', async () => {
		const subject = `${suite.prefix}a`;
		await suite.run({ ...publish(subject, {}), idempotencyKey: 'order-1' });
		await expect(suite.run(publish(subject, { expectedLastMsgId: 'order-0' }))).rejects.toThrow(
			`Expected Last Message ID ("order-0") did not hold for "${subject}": the stream's last message ID is "order-1"; nothing was stored`,
		);
		const [ok] = json((await suite.run({ ...publish(subject, { expectedLastMsgId: 'order-1' }), idempotencyKey: 'order-2' })).out);
		expect(ok).toMatchObject({ sequence: 2, messageId: 'order-2' });
	});
});

describe('Message → Publish: Time To Live', () => {
	if (serverAtLeast('2.11.0')) {
		it('stores a message that the stream removes after its Time To Live, while the others stay', async () => {
			const stream = await streamWith({ allow_msg_ttl: true });
			try {
				const [short] = json((await suite.run(publish(stream.subject, { ttlSeconds: 1 }))).out);
				await suite.run(publish(stream.subject, {}));
				expect(short).toMatchObject({ stream: stream.name, sequence: 1 });
				expect((await suite.jsm.streams.getMessage(stream.name, { seq: 1 }))?.header.get('Nats-TTL')).toBe('1s');
				const deadline = Date.now() + 5_000;
				while ((await count(stream.name)) > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
				expect(await suite.jsm.streams.getMessage(stream.name, { seq: 1 })).toBeNull();
				expect((await suite.jsm.streams.getMessage(stream.name, { seq: 2 }))?.seq).toBe(2);
			} finally {
				await stream.remove();
			}
		});

		it('names the stream setting when the stream does not allow a Time To Live', async () => {
			const subject = `${suite.prefix}a`;
			const error = await suite.run(publish(subject, { ttlSeconds: 60 })).then(
				() => undefined,
				(e: Error & { description?: string }) => e,
			);
			expect(error?.message).toBe(`Stream "${suite.stream}" does not allow a per-message Time To Live: its setting allow_msg_ttl ("Allow Per-Message TTL") is off`);
			expect(error?.description).toMatch(/^Turn on "Allow Per-Message TTL" with a JetStream node set to Stream → Update, .*nats-server 2\.11 or later.*or clear "Time To Live"/);
			expect(await count(suite.stream)).toBe(0);
		});
	} else {
		it('refuses a Time To Live on a server older than 2.11 before anything is sent', async () => {
			await expect(suite.run(publish(`${suite.prefix}a`, { ttlSeconds: 60 }))).rejects.toThrow(
				`Time To Live needs NATS server 2.11.0 or newer; this server runs ${version}`,
			);
			expect(await count(suite.stream)).toBe(0);
		});
	}
});
