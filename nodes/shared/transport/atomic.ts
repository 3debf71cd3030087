import { headers as newHeaders, type MsgHdrs } from '@nats-io/transport-node';

import type { NatsClient } from './client';
import { toMsgHdrs } from './headers';
import type { OutgoingMessage, PublishOutcome } from './messaging';
import { refusal } from './publish';

/**
 * All items or none: the messages go out as one atomic batch (nats-server 2.12+, stream setting
 * allow_atomic) and the stream stores all of them or none. The first through NATS.js's startBatch,
 * the middle ones without waiting, the last one with the commit header. The commit is sent here and
 * not with Batch.commit, whose error on a refused batch ("batch didn't contain number of published
 * messages") hides the server's reason. Server limits: 1 000 messages, 10 s between two messages.
 */

export const ATOMIC_MAX_MESSAGES = 1000;

/** The message's own headers plus the ones NATS.js would add for its id and Time To Live. */
function headersOf(message: OutgoingMessage): MsgHdrs {
	const h = toMsgHdrs(message.headers) ?? newHeaders();
	if (message.msgId) h.set('Nats-Msg-Id', message.msgId);
	if (message.ttlSeconds) h.set('Nats-TTL', `${message.ttlSeconds}s`);
	return h;
}

/** A refused commit, shaped like NATS.js's API errors so the usual explanations apply. */
function commitError(answer: { error?: { code?: number; err_code?: number; description?: string } }): Error {
	const error = new Error(answer.error?.description ?? 'the server refused the batch') as Error & { api_error?: unknown; code?: number };
	error.name = 'JetStreamApiError';
	error.api_error = answer.error;
	error.code = answer.error?.err_code;
	return error;
}

async function sendBatch(client: NatsClient, messages: OutgoingMessage[], timeoutMs: number): Promise<{ stream: string; seq: number; count: number }> {
	const [first, ...rest] = messages;
	const last = rest.pop() as OutgoingMessage;
	const batch = await client.js.startBatch(first.subject, first.data, { headers: headersOf(first), expect: first.expect, timeout: timeoutMs });
	for (const m of rest) batch.add(m.subject, m.data, { headers: headersOf(m) });
	const h = headersOf(last);
	h.set('Nats-Batch-Id', batch.id);
	h.set('Nats-Batch-Sequence', String(batch.count + 1));
	h.set('Nats-Batch-Commit', '1');
	const reply = await client.nc.request(last.subject, last.data, { headers: h, timeout: timeoutMs });
	const answer = reply.json<{ stream?: string; seq?: number; count?: number; error?: { code?: number; err_code?: number; description?: string } }>();
	if (answer.error || answer.count !== messages.length) throw commitError(answer);
	return { stream: answer.stream ?? '', seq: answer.seq ?? 0, count: answer.count };
}

/**
 * Publishes two or more messages atomically; every outcome is the same: all stored (with their
 * sequences, consecutive up to the commit's) or all failed with the reason.
 */
export async function publishAtomic(client: NatsClient, messages: OutgoingMessage[], timeoutMs: number): Promise<PublishOutcome[]> {
	try {
		const { stream, seq } = await sendBatch(client, messages, timeoutMs);
		return messages.map((_m, i) => ({ ok: true, receipt: { stream, sequence: seq - (messages.length - 1 - i), duplicate: false } }));
	} catch (error) {
		const failure = await refusal(client, { subject: messages[0].subject, expect: messages[0].expect, timeoutMs }, error);
		return messages.map(() => ({ ok: false, error: failure }));
	}
}
