import { withJetStreamNode } from '../advice';
import { JetStreamNodeError } from '../errors';
import { apiRefusal, toNodeError, unansweredReason } from '../errorMapping';
import { explainFeatureRefusal, STREAM_SETTING_CODES } from '../publishRefusals';
import { sleep } from '../execution/sleep';
import type { NatsClient } from './client';
import { toMsgHdrs, type HeaderRecord } from './headers';

/**
 * One JetStream publish, waiting for the stream's acknowledgement, that rides out a leader election
 * or a server restart: while nobody answers it tries again, for a bounded time, then says why. Every
 * publish of the package goes through here (the JetStream node, dead letters, redrive).
 */

export interface StoredReceipt {
	stream: string;
	sequence: number;
	/** True when the stream had already stored a message with this Nats-Msg-Id (nothing new written). */
	duplicate: boolean;
	/** A counter's new total after a Nats-Incr publish (server 2.12+), as the server's decimal text. */
	value?: string;
}

/** Optimistic concurrency: the server stores the message only if each given value is still current. */
export interface Expectations {
	streamName?: string;
	lastSequence?: number;
	lastSubjectSequence?: number;
	lastMsgId?: string;
}

/**
 * A schedule: the message stays on its own subject and the server publishes its body to `target`
 * at `specification` ("@at <ISO>", "@every 2h", or a 6-field cron), in `timeZone` for cron.
 */
export interface MessageSchedule {
	specification: string;
	target: string;
	timeZone?: string;
}

export interface PublishRequest {
	subject: string;
	data: Uint8Array;
	headers?: HeaderRecord;
	/** Sent as Nats-Msg-Id: JetStream drops a repeat inside the stream's duplicate window. */
	msgId?: string;
	expect?: Expectations;
	/** Sent as Nats-TTL (server 2.11+, stream setting allow_msg_ttl): the stream removes the message after it. */
	ttlSeconds?: number;
	/** Makes this message a schedule (server 2.12+/2.14+, allow_msg_schedules): see MessageSchedule. */
	schedule?: MessageSchedule;
	/** How long one attempt waits for the acknowledgement. */
	timeoutMs: number;
}

/** How long a publish keeps trying while nobody answers: a leader election plus a reconnect can take 10–20 s. */
export const UNANSWERED_WINDOW_MS = 30_000;
const FIRST_PAUSE_MS = 100;
const MAX_PAUSE_MS = 2_000;

/**
 * Publishes and waits for the acknowledgement. "No responders" (no stream leader right now) and "JetStream
 * temporarily unavailable" are tried again within `UNANSWERED_WINDOW_MS`: nothing was stored. A timeout
 * is tried again only with a Nats-Msg-Id, which makes a repeat harmless; without one the message may
 * or may not be stored, and the caller is told so instead. Errors name the subject and what to do.
 */
export async function publishStored(client: NatsClient, request: PublishRequest): Promise<StoredReceipt> {
	const deadline = Date.now() + UNANSWERED_WINDOW_MS;
	const options = publishOptions(request);
	let storedBy: string | undefined;
	// Without the right to ask ($JS.API.STREAM.NAMES), "no stream stores it" and "no leader now" look alike.
	let lookupRefused = false;
	for (let attempt = 0; ; attempt++) {
		try {
			const ack = await client.js.publish(request.subject, request.data, options);
			// NATS.js types no `val`: the server adds it to the PubAck of a counter increment.
			const { val } = ack as { val?: string };
			return { stream: ack.stream, sequence: ack.seq, duplicate: ack.duplicate, ...(val === undefined ? {} : { value: val }) };
		} catch (error) {
			const reason = unansweredReason(error);
			if (reason === undefined) throw await refusal(client, request, error);
			if (reason === 'no-responders' && storedBy === undefined && !lookupRefused) {
				// Nobody answered: is there a stream for this subject at all? If not, say so at once.
				const lookup = await streamOf(client, request.subject);
				if (lookup.found === false) throw noStream(request.subject, error);
				storedBy = lookup.found;
				lookupRefused = lookup.refused === true;
			}
			const retryable = reason === 'no-responders' || reason === 'unavailable' || (reason === 'timeout' && !!request.msgId);
			const pause = Math.min(MAX_PAUSE_MS, FIRST_PAUSE_MS * 2 ** attempt);
			if (!retryable || Date.now() + pause > deadline) throw explain(request, error, reason, storedBy, lookupRefused);
			await sleep(pause);
		}
	}
}

/** What NATS.js needs for the request; the newer options only when set, so older servers see nothing new. */
function publishOptions(request: PublishRequest) {
	const { expect, schedule } = request;
	return {
		headers: toMsgHdrs(request.headers),
		msgID: request.msgId,
		expect: expect && { streamName: expect.streamName, lastSequence: expect.lastSequence, lastSubjectSequence: expect.lastSubjectSequence, lastMsgID: expect.lastMsgId },
		timeout: request.timeoutMs,
		ttl: request.ttlSeconds ? `${request.ttlSeconds}s` : undefined,
		schedule: schedule && { specification: schedule.specification, target: schedule.target, timezone: schedule.timeZone },
	};
}

/** A refusal (not a silence): a newer feature's refusal names the field or stream setting to change. */
export async function refusal(client: NatsClient, request: Pick<PublishRequest, 'subject' | 'expect' | 'timeoutMs'>, error: unknown): Promise<Error> {
	const code = apiRefusal(error)?.code;
	const stream = code !== undefined && STREAM_SETTING_CODES.has(code) ? (await streamOf(client, request.subject)).found || undefined : undefined;
	const explained = explainFeatureRefusal(error, { subject: request.subject, stream, expect: request.expect });
	if (explained) {
		Object.defineProperty(explained, 'cause', { value: error, enumerable: false });
		return explained;
	}
	return toNodeError(error, { subject: request.subject, stream: request.expect?.streamName, timeoutMs: request.timeoutMs });
}

/**
 * The stream that stores a subject; `found: false` when the server says none does, undefined when it
 * cannot say now, or may not be asked (`refused`: the credential lacks $JS.API.STREAM.NAMES).
 */
async function streamOf(client: NatsClient, subject: string): Promise<{ found: string | false | undefined; refused?: boolean }> {
	try {
		return { found: await (await client.jsm()).streams.find(subject) };
	} catch (error) {
		if (/no stream matches subject/i.test(String((error as Error)?.message))) return { found: false };
		return { found: undefined, refused: toNodeError(error).category === 'permission' };
	}
}

function noStream(subject: string, cause: unknown): JetStreamNodeError {
	return new JetStreamNodeError('not-found', `No stream captures subject "${subject}"`, {
		hint: `Create a stream whose subjects include this subject with ${withJetStreamNode('Stream → Create')}, or fix the subject`,
		cause,
	});
}

/** Why a publish failed for good, in words that say whether the message may have been stored. */
function explain(
	request: PublishRequest,
	error: unknown,
	reason: ReturnType<typeof unansweredReason>,
	stream: string | undefined,
	lookupRefused: boolean,
): JetStreamNodeError {
	if (reason === 'timeout') {
		return new JetStreamNodeError('timeout', `JetStream did not confirm the message to "${request.subject}" within ${request.timeoutMs} ms`, {
			hint: `The server may be down, restarting or overloaded, so the message may or may not be stored. ${
				request.msgId ? 'Publishing it again with the same Idempotency Key stores it at most once' : 'Set an Idempotency Key so that publishing again cannot store it twice'
			}`,
			cause: error,
		});
	}
	if (reason !== 'no-responders' && reason !== 'unavailable') return toNodeError(error, { subject: request.subject, stream: request.expect?.streamName, timeoutMs: request.timeoutMs });
	if (reason === 'no-responders' && !stream && lookupRefused) {
		return new JetStreamNodeError('not-found', `No stream answered for subject "${request.subject}" in ${UNANSWERED_WINDOW_MS / 1000} s; nothing was stored`, {
			hint: `Most likely no stream stores this subject: create one with ${withJetStreamNode('Stream → Create')}, or fix the subject. This credential may not ask which stream stores a subject ($JS.API.STREAM.NAMES), so the node cannot tell that apart from a stream whose servers are restarting or electing a leader`,
			cause: error,
		});
	}
	return new JetStreamNodeError('server', `${stream ? `Stream "${stream}"` : 'JetStream'} did not answer for subject "${request.subject}" for ${UNANSWERED_WINDOW_MS / 1000} s; nothing was stored`, {
		hint: 'Its servers are restarting or electing a leader, or too few of its replicas are up: try again shortly, and check the cluster (nats-server logs, /jsz)',
		cause: error,
	});
}
