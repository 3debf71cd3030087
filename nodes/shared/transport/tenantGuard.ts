import type { NatsConnection } from '@nats-io/transport-node';

import type { PrefixedThing } from '../errors';
import { apiPrefix, type NatsCredentials } from './credentials';
import { requireStream, requireSubject } from './subjectPrefix';

/**
 * The one place the Subject Prefix is enforced: every publish, request and subscription of a
 * connection opened for a prefixed credential — ours and the ones NATS.js makes for JetStream,
 * key-value and object-store calls — passes `check` first and throws before anything is sent. New
 * operations cannot forget it. Subjects the client needs for its own plumbing pass: inboxes, acks,
 * flow control. A JetStream API call counts by the stream it names; creating a stream or consumer
 * also by the subjects and filters in its request.
 */

const PLUMBING = ['_INBOX.', '$JS.ACK.', '$JS.FC.'];
const decoder = new TextDecoder();

type Body = Record<string, unknown> | undefined;

function bodyOf(data: unknown): Body {
	try {
		if (typeof data === 'string') return JSON.parse(data) as Body;
		if (data instanceof Uint8Array && data.length > 0) return JSON.parse(decoder.decode(data)) as Body;
	} catch {
		// Not JSON: a body the guard has no rule for, judged by the subject alone.
	}
	return undefined;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' && value !== '' ? [value] : []);

/** A subject a tenant uses: `$KV.<bucket>.…` and `$O.<bucket>.…` count by their bucket. */
function checkTarget(prefix: string, subject: string, what: PrefixedThing): void {
	const bucket = /^\$(KV|O)\.([^.]+)(?:\.|$)/.exec(subject);
	if (bucket) return requireStream(prefix, `${bucket[1] === 'KV' ? 'KV' : 'OBJ'}_${bucket[2]}`);
	requireSubject(prefix, subject, what);
}

function checkStreamConfig(prefix: string, config: Body): void {
	for (const subject of strings(config?.subjects)) checkTarget(prefix, subject, 'stream subject');
	const mirror = config?.mirror as Body;
	if (typeof mirror?.name === 'string') requireStream(prefix, mirror.name);
	const sources = Array.isArray(config?.sources) ? (config.sources as Body[]) : [];
	for (const source of sources) if (typeof source?.name === 'string') requireStream(prefix, source.name);
}

function checkStreamApi(prefix: string, t: string[], data: unknown): void {
	if (t[1] === 'NAMES' || t[1] === 'LIST') {
		// Listings pass (the pickers filter them); a "which stream stores X" lookup counts by X.
		const subject = bodyOf(data)?.subject;
		if (typeof subject === 'string') checkTarget(prefix, subject, 'subject');
		return;
	}
	const nested = t[1] === 'MSG' || t[1] === 'LEADER' || t[1] === 'PEER';
	requireStream(prefix, (nested ? t[3] : t[2]) ?? '');
	if (t[1] === 'CREATE' || t[1] === 'UPDATE') checkStreamConfig(prefix, bodyOf(data));
}

function checkConsumerApi(prefix: string, t: string[], data: unknown): void {
	const nested = t[1] === 'MSG' || t[1] === 'LEADER' || t[1] === 'DURABLE';
	requireStream(prefix, (nested ? t[3] : t[2]) ?? '');
	if (t[1] !== 'CREATE' && t[1] !== 'DURABLE') return;
	const config = bodyOf(data)?.config as Body;
	for (const filter of [...strings(config?.filter_subject), ...strings(config?.filter_subjects)]) checkTarget(prefix, filter, 'filter subject');
}

function checkApi(prefix: string, subject: string, t: string[], data: unknown): void {
	if (t[0] === 'INFO' && t.length === 1) return;
	if (t[0] === 'STREAM') return checkStreamApi(prefix, t, data);
	if (t[0] === 'CONSUMER') return checkConsumerApi(prefix, t, data);
	if (t[0] === 'DIRECT' && t[1] === 'GET') return requireStream(prefix, t[2] ?? '');
	// Account-wide calls (purging an account, server placement) are no tenant's business.
	requireSubject(prefix, subject);
}

/** Throws a SubjectPrefixError for a subject (and JetStream API body) outside the prefix. */
export function subjectChecker(prefix: string, api: string): (subject: string, data?: unknown) => void {
	const apiDot = `${api}.`;
	return (subject, data) => {
		if (PLUMBING.some((p) => subject.startsWith(p))) return;
		if (subject.startsWith(apiDot)) return checkApi(prefix, subject, subject.slice(apiDot.length).split('.'), data);
		const advisory = /^\$JS\.EVENT\.ADVISORY\.(?:CONSUMER|STREAM)\.[^.]+\.([^.]+)/.exec(subject);
		if (advisory) return requireStream(prefix, advisory[1]);
		checkTarget(prefix, subject, 'subject');
	};
}

type Method = (subject: string, ...rest: unknown[]) => unknown;

/** Puts the check in front of the connection's publish, request and subscribe; a no-op without a prefix. */
export function guardSubjects(nc: NatsConnection, credentials: NatsCredentials): NatsConnection {
	if (!credentials.subjectPrefix) return nc;
	const check = subjectChecker(credentials.subjectPrefix, apiPrefix(credentials));
	const methods = nc as unknown as Record<string, Method>;
	for (const name of ['publish', 'subscribe'] as const) {
		const original = methods[name].bind(nc);
		methods[name] = (subject, ...rest) => {
			check(subject, name === 'publish' ? rest[0] : undefined);
			return original(subject, ...rest);
		};
	}
	for (const name of ['request', 'requestMany'] as const) {
		const original = methods[name].bind(nc);
		methods[name] = (subject, ...rest) => {
			try {
				check(subject, rest[0]);
			} catch (error) {
				return Promise.reject(error);
			}
			return original(subject, ...rest);
		};
	}
	return nc;
}
