import { headerValue, type HeaderRecord } from '../transport/headers';

/**
 * A redriven message keeps its identity. Its Nats-Msg-Id must be our own (`redrive-<dlq>-<seq>`):
 * with the original id, the target stream would drop it as a duplicate inside its window, and a
 * redrive run twice would deliver it twice. So the origin travels in headers of its own — the
 * producer's message id, the subject and time it was first published, how often it was redriven —
 * and every reader of "the message id" (the trigger's idempotency key, its item, a second dead
 * letter) reads the origin through `messageIdentity`.
 */

export const OriginHeaders = {
	/** The producer's Nats-Msg-Id; absent when the original had none. */
	MsgId: 'X-Origin-Msg-Id',
	Subject: 'X-Origin-Subject',
	/** When the original was first stored, ISO 8601. */
	Time: 'X-Origin-Time',
	/** How many times the message was redriven; its presence marks a redriven message. */
	Redrives: 'X-Redrive-Count',
} as const;

const ORIGIN_NAMES = new Set(Object.values(OriginHeaders).map((name) => name.toLowerCase()));

export function isOriginHeader(name: string): boolean {
	return ORIGIN_NAMES.has(name.toLowerCase());
}

export function isRedriven(headers: HeaderRecord): boolean {
	return headerValue(headers, OriginHeaders.Redrives) !== undefined;
}

/** The producer's message id: the origin's for a redriven message (none if the original had none). */
export function messageIdentity(headers: HeaderRecord): string | undefined {
	const id = isRedriven(headers) ? headerValue(headers, OriginHeaders.MsgId) : headerValue(headers, 'Nats-Msg-Id');
	return id || undefined;
}

/** Reads a header by name; Nats-Msg-Id means the message's identity (see `messageIdentity`). */
export function identityHeader(headers: HeaderRecord, name: string): string | undefined {
	return name.toLowerCase() === 'nats-msg-id' ? messageIdentity(headers) : headerValue(headers, name) || undefined;
}

/** Where a message first came from; for a message never redriven, itself. */
export interface Origin {
	msgId?: string;
	subject: string;
	/** ISO 8601; undefined when unknown. */
	time?: string;
	redrives: number;
}

function count(value: string | undefined): number {
	const n = Number(value);
	return Number.isInteger(n) && n > 0 ? n : 0;
}

export function originOf(headers: HeaderRecord, subject: string, storedAt: string | undefined): Origin {
	if (!isRedriven(headers)) return { msgId: messageIdentity(headers), subject, time: storedAt, redrives: 0 };
	return {
		msgId: messageIdentity(headers),
		subject: headerValue(headers, OriginHeaders.Subject) || subject,
		time: headerValue(headers, OriginHeaders.Time) || storedAt,
		redrives: count(headerValue(headers, OriginHeaders.Redrives)),
	};
}

/** The origin headers a redrive adds: the dead letter's origin, one redrive more. */
export function redriveOriginHeaders(origin: Origin): HeaderRecord {
	const out: HeaderRecord = { [OriginHeaders.Subject]: origin.subject, [OriginHeaders.Redrives]: String(origin.redrives + 1) };
	if (origin.msgId) out[OriginHeaders.MsgId] = origin.msgId;
	if (origin.time) out[OriginHeaders.Time] = origin.time;
	return out;
}
