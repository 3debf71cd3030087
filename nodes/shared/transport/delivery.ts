import type { Msg, NatsConnection } from '@nats-io/transport-node';

import { isoFromNanos, msToNanos, NANOS_PER_MS } from '../units';
import { headerRecord, type HeaderRecord } from './headers';

/**
 * A delivered JetStream message as the trigger sees it, and the answers JetStream accepts for it.
 * Answers are written through a per-connection `AnswerWriter`, which sends the answers of one
 * event-loop turn in one socket write and never lets one failed write drop the others.
 */

/** One delivered message and the four answers JetStream accepts for it. */
export interface Delivery {
	readonly subject: string;
	readonly data: Uint8Array;
	/** Header name → value; a header sent several times becomes an array. */
	readonly headers: HeaderRecord;
	readonly stream: string;
	readonly consumer: string;
	readonly streamSequence: number;
	readonly consumerSequence: number;
	/** 1 on the first delivery, 2 on the first redelivery… */
	readonly deliveryCount: number;
	/** When the message was stored, ISO 8601… */
	readonly timestamp: string;
	/** …and in ms since the epoch. */
	readonly storedAtMs: number;
	/** Messages still waiting for this consumer after this one (the lag). */
	readonly pending: number;
	/** The subject an answer is sent to; lets a later node acknowledge on another connection. */
	readonly replySubject: string;
	ack(): void;
	/** Redeliver after `delayMs` (without a delay the server redelivers at once, ignoring the consumer's backoff). */
	nak(delayMs?: number): void;
	/** Never redeliver. Without a reason: server 2.9 ignores `+TERM <reason>`. */
	term(): void;
	/** Still processing: restart the ack-wait timer. */
	working(): void;
}

/** Where a delivered message came from, read off its ack subject. */
export interface AckSubjectInfo {
	stream: string;
	consumer: string;
	deliveryCount: number;
	streamSequence: number;
	consumerSequence: number;
	timestampNanos: number;
	pending: number;
}

/**
 * `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>` (servers before 2.10), or
 * `$JS.ACK.<domain>.<account>.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>.<token>`.
 */
export function parseAckSubject(subject: string): AckSubjectInfo | undefined {
	const tokens = subject.split('.');
	if (tokens[0] !== '$JS' || tokens[1] !== 'ACK') return undefined;
	const at = tokens.length === 9 ? 2 : tokens.length >= 11 ? 4 : -1;
	if (at < 0) return undefined;
	const n = (i: number) => Number(tokens[at + i]);
	const info = {
		stream: tokens[at],
		consumer: tokens[at + 1],
		deliveryCount: n(2),
		streamSequence: n(3),
		consumerSequence: n(4),
		timestampNanos: n(5),
		pending: n(6),
	};
	return Number.isFinite(info.streamSequence) && Number.isFinite(info.deliveryCount) ? info : undefined;
}

/** What an answer on an ack subject says, as the consumer reads it. */
export type AnswerKind = 'ack' | 'nak' | 'term' | 'working' | 'other';

export function answerKind(payload: Uint8Array): AnswerKind {
	const text = new TextDecoder().decode(payload.subarray(0, 5));
	if (text.startsWith('+ACK') || text === '') return 'ack';
	if (text.startsWith('-NAK')) return 'nak';
	if (text.startsWith('+TERM')) return 'term';
	if (text.startsWith('+WPI')) return 'working';
	return 'other';
}

const encoder = new TextEncoder();
const ACK = encoder.encode('+ACK');
const NAK = encoder.encode('-NAK');
const TERM = encoder.encode('+TERM');
const WPI = encoder.encode('+WPI');

/**
 * Answers of one event-loop turn leave together: the client flushes its socket buffer in a
 * microtask, so answers issued from many separate promise chains would each cost a write. One queue
 * per connection; a write that fails (connection closing) is counted and reported, never thrown.
 */
export class AnswerWriter {
	private queue: Array<{ subject: string; payload: Uint8Array }> = [];

	private scheduled = false;

	constructor(
		private readonly nc: NatsConnection,
		private readonly onFailure: (error: Error, count: number) => void,
	) {}

	send(subject: string, payload: Uint8Array): void {
		if (!subject) return;
		this.queue.push({ subject, payload });
		if (this.scheduled) return;
		this.scheduled = true;
		setImmediate(() => this.flush());
	}

	/** Writes what is queued now (closing calls this before draining the connection). */
	flush(): void {
		this.scheduled = false;
		const batch = this.queue;
		this.queue = [];
		let failed = 0;
		let firstError: Error | undefined;
		for (const { subject, payload } of batch) {
			try {
				this.nc.publish(subject, payload);
			} catch (error) {
				failed++;
				firstError ??= error as Error;
			}
		}
		if (firstError) this.onFailure(firstError, failed);
	}
}

/** A delivered message whose answers go through `writer`; only the first final answer is sent. */
export function toDelivery(msg: Msg, writer: AnswerWriter): Delivery {
	const reply = msg.reply ?? '';
	const info = parseAckSubject(reply);
	if (!info) throw new Error(`Not a JetStream delivery (reply subject "${reply}")`);
	let answered = false;
	const answer = (payload: Uint8Array) => {
		if (answered) return;
		answered = true;
		writer.send(reply, payload);
	};
	return {
		subject: msg.subject,
		data: msg.data,
		headers: headerRecord(msg.headers),
		stream: info.stream,
		consumer: info.consumer,
		streamSequence: info.streamSequence,
		consumerSequence: info.consumerSequence,
		deliveryCount: info.deliveryCount,
		timestamp: isoFromNanos(info.timestampNanos),
		storedAtMs: Math.floor(info.timestampNanos / NANOS_PER_MS),
		pending: info.pending,
		replySubject: reply,
		ack: () => answer(ACK),
		nak: (delayMs) =>
			answer(delayMs === undefined ? NAK : encoder.encode(`-NAK ${JSON.stringify({ delay: msToNanos(Math.max(1, Math.round(delayMs))) })}`)),
		term: () => answer(TERM),
		working: () => {
			if (!answered) writer.send(reply, WPI);
		},
	};
}
