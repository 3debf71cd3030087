import type { JsMsg } from '@nats-io/jetstream';

import { encodeHeaderValue } from '../audit/sender';
import { InvalidParameterError, type JetStreamNodeError } from '../errors';
import { toNodeError } from '../errorMapping';
import type { NatsClient } from '../transport/client';
import { headerRecord, type HeaderRecord } from '../transport/headers';
import { publishWithHeaders } from '../transport/streamIo';
import { isoFromNanos } from '../units';
import {
	DEAD_LETTER_REASONS,
	DlqHeaders,
	isDlqHeader,
	instructsServer,
	oneLine,
	type DeadLetterReason,
} from './envelope';
import { deadLetterMsgId, deadLetterRoot, deadLetterSubject } from './naming';
import { isOriginHeader, originOf } from './origin';
import { redactPayload, safeErrorText, type RedactHook } from './redaction';

/**
 * Moving a failed message to the dead-letter queue: publish a copy with the envelope headers, and
 * only once JetStream has stored it, terminate the original. If the copy cannot be stored the
 * original is handed back (nak with a delay) — a message is never dropped on the way.
 */

/**
 * The message being dead-lettered, as the trigger's `Delivery` already looks. A raw `JsMsg` is
 * accepted too and converted.
 */
export interface DeadLetterSource {
	readonly subject: string;
	readonly data: Uint8Array;
	readonly headers: HeaderRecord;
	readonly stream: string;
	readonly consumer: string;
	readonly streamSequence: number;
	readonly deliveryCount: number;
	/** When the original was stored, ISO 8601. */
	readonly timestamp?: string;
	term(): void;
	nak(delayMs?: number): void;
}

export interface DeadLetterOptions {
	reason: DeadLetterReason;
	/** What went wrong; stored as one scrubbed line of at most 1024 characters. */
	error: unknown;
	/** Name of the n8n node that failed, when known. */
	failedNode?: string;
	/** n8n execution id, when known. */
	executionId?: string;
	/** The n8n workflow the message ran in, and when its failed execution started (ISO 8601). */
	workflowId?: string;
	/** The workflow's name, stored percent-encoded (it may hold any character). */
	workflowName?: string;
	executionStartedAt?: string;
	/** JSON fields ("password", "card.number") removed from the copy; only applies to JSON payloads. */
	redactFields?: readonly string[];
	/** Dead-letter subject; default `<subjectPrefix>.<stream>.<consumer>`. */
	subject?: string;
	/** Default "dlq". Ignored when `subject` is set. */
	subjectPrefix?: string;
	/** Known secret values (credential fields) replaced by *** in the error text. */
	secrets?: readonly string[];
	/** Replaces the default secret masking of the error text. */
	redactError?: RedactHook;
	/**
	 * Default true: term the original once the copy is stored, nak it (with `retryDelayMs`) if not.
	 * False: only publish, and let the caller answer the message.
	 */
	settle?: boolean;
	/** Delay before the original comes back when the copy could not be stored. Default 5 s. */
	retryDelayMs?: number;
	/** How long to wait for JetStream's acknowledgement of the copy. Default 5 s. */
	timeoutMs?: number;
	/** For tests. */
	now?: () => Date;
}

export type DeadLetterResult =
	| {
			status: 'dead-lettered';
			/** The dead-letter subject the copy went to. */
			subject: string;
			dlqStream: string;
			dlqSequence: number;
			/** True when an earlier attempt had already stored this copy (deduplicated by Nats-Msg-Id). */
			duplicate: boolean;
			/** 'terminated' when the original was answered with term(), 'none' with `settle: false`. */
			settled: 'terminated' | 'none';
			redactedFields: string[];
	  }
	| {
			status: 'failed';
			subject: string;
			/** Why the copy was not stored (e.g. "No stream captures subject …"). */
			error: JetStreamNodeError;
			/** 'nak' when the original was handed back for a later delivery, 'none' with `settle: false`. */
			settled: 'nak' | 'none';
			retryDelayMs: number;
	  };

const DEFAULT_RETRY_DELAY_MS = 5_000;

function isJsMsg(msg: JsMsg | DeadLetterSource): msg is JsMsg {
	return 'info' in msg && typeof (msg as JsMsg).info === 'object';
}

/** A raw JsMsg seen as a DeadLetterSource (the same shape the trigger's Delivery has). */
export function sourceFromJsMsg(msg: JsMsg): DeadLetterSource {
	const info = msg.info;
	return {
		subject: msg.subject,
		data: msg.data,
		headers: headerRecord(msg.headers),
		stream: info.stream,
		consumer: info.consumer,
		streamSequence: info.streamSequence,
		deliveryCount: info.deliveryCount,
		timestamp: isoFromNanos(info.timestampNanos),
		term: () => msg.term(),
		nak: (delayMs) => msg.nak(delayMs),
	};
}

function checkReason(reason: string): void {
	if (!(DEAD_LETTER_REASONS as readonly string[]).includes(reason)) {
		throw new InvalidParameterError(
			'reason',
			`"${reason}" is not a dead-letter reason`,
			`Use one of: ${DEAD_LETTER_REASONS.join(', ')}`,
		);
	}
}

/**
 * The copy's headers: the original ones, minus those that instruct the server (named in
 * X-Dlq-Dropped-Headers; the original Nats-Msg-Id has a header of its own), minus any envelope of
 * an earlier dead-lettering and minus the origin headers of a redrive (the envelope keeps the origin).
 */
function copiedHeaders(source: DeadLetterSource): { headers: HeaderRecord; dropped: string[] } {
	const headers: HeaderRecord = {};
	const dropped: string[] = [];
	for (const [key, value] of Object.entries(source.headers)) {
		if (isDlqHeader(key) || isOriginHeader(key)) continue;
		if (instructsServer(key)) {
			if (!/^nats-msg-id$/i.test(key)) dropped.push(key);
			continue;
		}
		headers[key] = value;
	}
	return { headers, dropped };
}

/**
 * The envelope. Subject, first storage time and message id are the origin's: a message dead-lettered
 * again after a redrive keeps its history (and counts its redrives) instead of starting anew.
 */
function envelopeHeaders(source: DeadLetterSource, options: DeadLetterOptions, removed: string[], dropped: string[]): HeaderRecord {
	const line = (text: string) => oneLine(text, 256);
	const origin = originOf(source.headers, source.subject, source.timestamp);
	const out: HeaderRecord = {
		[DlqHeaders.Stream]: source.stream,
		[DlqHeaders.Subject]: origin.subject,
		[DlqHeaders.Sequence]: String(source.streamSequence),
		[DlqHeaders.Consumer]: source.consumer,
		[DlqHeaders.Deliveries]: String(source.deliveryCount),
		[DlqHeaders.Reason]: options.reason,
		[DlqHeaders.Error]: safeErrorText(options.error, options.secrets, options.redactError) || '(no message)',
		[DlqHeaders.Time]: (options.now?.() ?? new Date()).toISOString(),
	};
	if (options.failedNode) out[DlqHeaders.FailedNode] = line(options.failedNode);
	if (options.executionId) out[DlqHeaders.ExecutionId] = line(options.executionId);
	if (options.workflowId) out[DlqHeaders.WorkflowId] = line(options.workflowId);
	if (options.workflowName) out[DlqHeaders.WorkflowName] = encodeHeaderValue(options.workflowName);
	if (options.executionStartedAt) out[DlqHeaders.ExecutionStarted] = options.executionStartedAt;
	if (origin.time) out[DlqHeaders.OriginalTime] = origin.time;
	if (origin.msgId) out[DlqHeaders.OriginalMsgId] = line(origin.msgId);
	if (origin.redrives > 0) out[DlqHeaders.Redrives] = String(origin.redrives);
	if (removed.length > 0) out[DlqHeaders.RedactedFields] = line(removed.join(','));
	if (dropped.length > 0) out[DlqHeaders.DroppedHeaders] = line(dropped.join(','));
	return out;
}

/**
 * Dead-letters one message. Resolves with what happened; it rejects only for a wrong `reason`
 * (a programming error), never because the DLQ is unreachable — that is a `failed` result.
 */
export async function deadLetter(
	client: NatsClient,
	msg: JsMsg | DeadLetterSource,
	options: DeadLetterOptions,
): Promise<DeadLetterResult> {
	checkReason(options.reason);
	const source = isJsMsg(msg) ? sourceFromJsMsg(msg) : msg;
	const subject = options.subject ?? deadLetterSubject(source.stream, source.consumer, options.subjectPrefix ?? deadLetterRoot(client.credentials));
	const settle = options.settle !== false;
	const retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
	const payload = redactPayload(source.data, options.redactFields ?? []);
	const { headers, dropped } = copiedHeaders(source);
	const allHeaders = { ...headers, ...envelopeHeaders(source, options, payload.removed, dropped) };
	const msgId = deadLetterMsgId(source.stream, source.consumer, source.streamSequence);
	let receipt;
	try {
		receipt = await publishWithHeaders(client, subject, payload.data, allHeaders, msgId, options.timeoutMs);
	} catch (error) {
		if (settle) source.nak(retryDelayMs);
		return { status: 'failed', subject, error: toNodeError(error, { subject }), settled: settle ? 'nak' : 'none', retryDelayMs };
	}
	// Only now that JetStream holds the copy may the original go. A bare term(): server 2.9 ignores term(reason).
	if (settle) source.term();
	return {
		status: 'dead-lettered',
		subject,
		dlqStream: receipt.stream,
		dlqSequence: receipt.sequence,
		duplicate: receipt.duplicate,
		settled: settle ? 'terminated' : 'none',
		redactedFields: payload.removed,
	};
}
