import { JetStreamNodeError } from '../errors';
import { toNodeError } from '../errorMapping';
import { watchRefusals } from './refusals';
import type { NatsClient } from './client';
import { headerRecord, headerValue, toMsgHdrs, type HeaderRecord } from './headers';
import type { PublishReceipt } from './streamIo';
import { publishStored, type Expectations, type MessageSchedule } from './publish';

/**
 * Publishing many messages with a bounded window of acknowledgements in flight, core request/reply,
 * and acknowledging a delivered message from another connection. Nothing here knows about n8n items.
 */

export interface OutgoingMessage {
	subject: string;
	data: Uint8Array;
	headers: HeaderRecord;
	/** Sent as Nats-Msg-Id: JetStream drops a repeat inside the stream's duplicate window. */
	msgId?: string;
	expect?: Expectations;
	/** Per-message Time To Live in seconds (Nats-TTL, server 2.11+). */
	ttlSeconds?: number;
	schedule?: MessageSchedule;
}

export type PublishOutcome = { ok: true; receipt: PublishReceipt } | { ok: false; error: Error };

export interface WindowOptions {
	/** Acknowledgements awaited at the same time. */
	window: number;
	/** How long one acknowledgement may take. */
	timeoutMs: number;
	/** Stop preparing new messages after the first failure (the ones in flight still finish). */
	stopOnError: boolean;
}

async function publishOne(client: NatsClient, message: OutgoingMessage, timeoutMs: number): Promise<PublishOutcome> {
	try {
		return { ok: true, receipt: await publishStored(client, { ...message, timeoutMs }) };
	} catch (error) {
		return { ok: false, error: toNodeError(error, { subject: message.subject, stream: message.expect?.streamName, timeoutMs }) };
	}
}

/**
 * Publishes `count` messages, preparing message i only when a window slot is free (so 100 000 items
 * never become 100 000 pending promises), and returns the outcomes in input order. `prepare` may
 * throw: that item fails alone. Messages go out in input order, so one subject keeps its order.
 */
export async function publishWindowed(
	client: NatsClient,
	count: number,
	prepare: (index: number) => OutgoingMessage | Promise<OutgoingMessage>,
	options: WindowOptions,
): Promise<Array<PublishOutcome | undefined>> {
	const outcomes: Array<PublishOutcome | undefined> = new Array(count);
	const inFlight = new Set<Promise<void>>();
	let failed = false;
	for (let i = 0; i < count && !(failed && options.stopOnError); i++) {
		if (inFlight.size >= options.window) await Promise.race(inFlight);
		let message: OutgoingMessage;
		try {
			// Await only a message that is not ready: an await per message would flush the socket per message.
			const ready = prepare(i);
			message = ready instanceof Promise ? await ready : ready;
		} catch (error) {
			outcomes[i] = { ok: false, error: error as Error };
			failed = true;
			continue;
		}
		const done = publishOne(client, message, options.timeoutMs).then((outcome) => {
			outcomes[i] = outcome;
			if (!outcome.ok) failed = true;
			inFlight.delete(done);
		});
		inFlight.add(done);
	}
	await Promise.all(inFlight);
	return outcomes;
}

/** The NATS services convention for an error reply (the NATS Request Trigger sends these). */
export const SERVICE_ERROR_HEADER = 'Nats-Service-Error';
export const SERVICE_ERROR_CODE_HEADER = 'Nats-Service-Error-Code';
/**
 * When the asker stops waiting (epoch milliseconds): a responder that could only start after it
 * does not start at all. Sent by the JetStream node's Request; other clients may send it too.
 */
export const REQUEST_DEADLINE_HEADER = 'X-Request-Deadline';

export interface Reply {
	data: Uint8Array;
	headers: HeaderRecord;
}

/**
 * Core NATS request/reply; "no responders" and timeouts become errors that say so, and so does a
 * service's error reply (headers `Nats-Service-Error` / `Nats-Service-Error-Code`, as the NATS
 * services convention and the NATS Request Trigger send them).
 */
export async function requestReply(client: NatsClient, subject: string, data: Uint8Array, headers: HeaderRecord, timeoutMs: number): Promise<Reply> {
	let reply: Reply;
	try {
		const withDeadline = { ...headers, [REQUEST_DEADLINE_HEADER]: String(Date.now() + timeoutMs) };
		const msg = await client.nc.request(subject, data, { timeout: timeoutMs, headers: toMsgHdrs(withDeadline) });
		reply = { data: msg.data, headers: headerRecord(msg.headers) };
	} catch (error) {
		throw toNodeError(error, { subject, timeoutMs });
	}
	const serviceError = headerValue(reply.headers, SERVICE_ERROR_HEADER);
	if (serviceError !== undefined) {
		const code = headerValue(reply.headers, SERVICE_ERROR_CODE_HEADER) ?? '500';
		throw new JetStreamNodeError('server', `The service answering "${subject}" replied with an error (code ${code}): ${serviceError}`, {
			hint: code === '504' ? 'The answering workflow took longer than its Execution Timeout' : 'See the answering workflow\'s executions for the cause',
		});
	}
	return reply;
}

/**
 * Sends replies (core NATS, not stored) and waits until the server has them: a workflow that replies
 * and ends must not let its execution finish before the reply left.
 */
export async function sendReplies(client: NatsClient, replies: OutgoingMessage[]): Promise<void> {
	const refusals = watchRefusals(client.nc);
	try {
		for (const reply of replies) client.nc.publish(reply.subject, reply.data, { headers: toMsgHdrs(reply.headers) });
		await client.nc.flush();
	} catch (error) {
		await refusals.stop();
		throw toNodeError(error, { subject: replies[0]?.subject });
	}
	// The server refuses a plain publish only with an -ERR on the connection, which comes before the
	// flush's PONG: a refusal of one of these subjects is seen by now.
	const refused = (await refusals.stop()).find((e) => e.operation === 'publish' && replies.some((r) => r.subject === e.subject));
	if (refused) throw refused;
}


/**
 * Answers a delivered JetStream message through its ack subject (the trigger's `ackToken`), waiting
 * for the server to confirm, so a workflow knows the acknowledgement landed.
 */
export async function answerDelivery(client: NatsClient, ackSubject: string, protocolPayload: string, timeoutMs: number): Promise<void> {
	try {
		await client.nc.request(ackSubject, new TextEncoder().encode(protocolPayload), { timeout: timeoutMs });
	} catch (error) {
		throw toNodeError(error, { subject: ackSubject, timeoutMs });
	}
}

/** The last message stored on a subject, or null. */
export async function readLastOnSubject(client: NatsClient, stream: string, subject: string) {
	try {
		const jsm = await client.jsm();
		const msg = await jsm.streams.getMessage(stream, { last_by_subj: subject });
		return msg ? { stream, sequence: msg.seq, subject: msg.subject, data: msg.data, headers: headerRecord(msg.header), time: msg.time.toISOString() } : null;
	} catch (error) {
		throw toNodeError(error, { stream, subject });
	}
}
