import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';

import { createClient, parseCredentials, type NatsClient } from '../../../nodes/shared/transport';
import { uniqueName, type NatsServer } from '../../helpers/natsServer';

/**
 * A source stream with a durable pull consumer (read with the raw client, as the trigger does), a
 * dead-letter stream with its own subject prefix (streams on one server may not share subjects), and
 * the library's NatsClient on a separate connection.
 */

export interface DlqFixture {
	stream: string;
	subject: string;
	durable: string;
	dlqStream: string;
	/** Dead-letter subject prefix of this test ("dlq_<unique>"). */
	prefix: string;
	nc: NatsConnection;
	js: JetStreamClient;
	jsm: JetStreamManager;
	client: NatsClient;
	publish(body: string | Uint8Array, hdrs?: Record<string, string>, subject?: string): Promise<number>;
	/** Fetches up to `max` messages from the durable, waiting at most `expiresMs`. */
	fetch(max?: number, expiresMs?: number): Promise<JsMsg[]>;
	close(): Promise<void>;
}

export interface FixtureOptions {
	/** Create the dead-letter stream (default true). */
	withDlq?: boolean;
	maxDeliver?: number;
	ackWaitMs?: number;
}

export async function dlqFixture(server: NatsServer, options: FixtureOptions = {}): Promise<DlqFixture> {
	const stream = uniqueName('SRC');
	const subject = `${stream.toLowerCase()}.orders`;
	const prefix = `dlq_${stream.toLowerCase()}`;
	const dlqStream = `DLQ_${stream}`;
	const durable = 'worker';
	const nc = await connect({ servers: server.url, name: 'test-side' });
	const js = jetstream(nc);
	const jsm = await jetstreamManager(nc);
	await jsm.streams.add({ name: stream, subjects: [`${stream.toLowerCase()}.>`] });
	if (options.withDlq !== false) await jsm.streams.add({ name: dlqStream, subjects: [`${prefix}.>`] });
	await jsm.consumers.add(stream, {
		durable_name: durable,
		ack_policy: AckPolicy.Explicit,
		ack_wait: (options.ackWaitMs ?? 1_000) * 1_000_000,
		max_deliver: options.maxDeliver ?? 3,
	});
	const libConnection = await connect({ servers: server.url, name: 'library' });
	const client = createClient(libConnection, parseCredentials({ servers: server.url }));
	return {
		stream,
		subject,
		durable,
		dlqStream,
		prefix,
		nc,
		js,
		jsm,
		client,
		async publish(body, hdrs = {}, to = subject) {
			const h = natsHeaders();
			for (const [k, v] of Object.entries(hdrs)) h.append(k, v);
			const ack = await js.publish(to, body, { headers: h });
			return ack.seq;
		},
		async fetch(max = 1, expiresMs = 2_000) {
			const consumer = await js.consumers.get(stream, durable);
			const batch = await consumer.fetch({ max_messages: max, expires: expiresMs });
			const out: JsMsg[] = [];
			for await (const m of batch) out.push(m);
			return out;
		},
		async close() {
			await jsm.streams.delete(stream).catch(() => false);
			await jsm.streams.delete(dlqStream).catch(() => false);
			await libConnection.close();
			await nc.close();
		},
	};
}

/** Every message of a stream, read by sequence (test-side, independent of the library). */
export async function storedMessages(jsm: JetStreamManager, stream: string) {
	const info = await jsm.streams.info(stream);
	const out = [];
	for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
		const m = await jsm.streams.getMessage(stream, { seq });
		if (m) out.push(m);
	}
	return out;
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
