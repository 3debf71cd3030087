import { CredentialsError, SubjectPrefixError, type PrefixedThing } from '../errors';

/**
 * The credential's Subject Prefix: an n8n-side guard for several tenants in one NATS account. Rules:
 * - the prefix is one or more subject tokens ending in a dot: `tenant-a.`, `acme.eu.`;
 * - a subject (publish, request, subscription, filter, stream subject) lies under it when it starts
 *   with it, e.g. `tenant-a.orders.>`;
 * - a stream, bucket or consumer-stream name cannot hold a dot: it lies under the prefix when it
 *   starts with the prefix's tokens joined by `_`, then `_` or `-`, ignoring case and treating `-`
 *   and `_` alike: `tenant-a.` admits `tenant-a-orders`, `TENANT_A_ORDERS`, `Tenant-A_Orders`.
 * A key-value bucket `b` counts by `b` (its stream is `KV_b`, its subjects `$KV.b.…`); an object store
 * likewise (`OBJ_b`, `$O.b.…`). This file holds the rules; `tenantGuard.ts` applies them to traffic.
 */

const TOKEN = '[A-Za-z0-9_-]+';
const PREFIX_PATTERN = new RegExp(`^${TOKEN}(?:\\.${TOKEN})*\\.?$`);

/** Checks and normalises the credential field: trailing dot added; empty means no guard. */
export function parseSubjectPrefix(raw: string | undefined): string | undefined {
	const value = raw?.trim();
	if (!value) return undefined;
	if (!PREFIX_PATTERN.test(value)) {
		throw new CredentialsError(
			`"Subject Prefix" is not a valid prefix: "${value}"`,
			'Use one or more subject tokens of letters, digits, - and _ separated by dots, ending in a dot, e.g. "tenant-a." (no spaces, no * or >, not starting with $ or a dot)',
		);
	}
	return value.endsWith('.') ? value : `${value}.`;
}

const fold = (name: string) => name.toLowerCase().replace(/-/g, '_');

/** `tenant-a.` → `tenant-a`, `acme.eu.` → `acme_eu`: the start of every name under the prefix. */
export function nameStem(prefix: string): string {
	return prefix.replace(/\.$/, '').replace(/\./g, '_');
}

export function subjectUnderPrefix(prefix: string, subject: string): boolean {
	return subject.startsWith(prefix);
}

/** A stream or bucket name under the prefix (see the rules above). */
export function nameUnderPrefix(prefix: string, name: string): boolean {
	return fold(name).startsWith(`${fold(nameStem(prefix))}_`);
}

/** A stream's name as a tenant sees it: `KV_b` and `OBJ_b` count as bucket `b`. */
export function streamUnderPrefix(prefix: string, stream: string): boolean {
	const bucket = /^(?:KV|OBJ)_(.+)$/.exec(stream)?.[1];
	return nameUnderPrefix(prefix, bucket ?? stream);
}

/** Whether a listing shows this stream (or `KV_`/`OBJ_` bucket stream) to a credential with this prefix. */
export function streamVisible(prefix: string | undefined, stream: string): boolean {
	return !prefix || streamUnderPrefix(prefix, stream);
}

/**
 * A name the package derives itself (`DLQ`, `n8n_schemas`, `n8n_jetstream_stats`) placed under the
 * prefix, so a prefixed credential works with default settings: `tenant-a.` + `DLQ` → `tenant-a_DLQ`.
 * A name already under the prefix, or no prefix, stays as it is.
 */
export function prefixedName(prefix: string | undefined, name: string): string {
	if (!prefix || nameUnderPrefix(prefix, name)) return name;
	return `${nameStem(prefix)}_${name}`;
}

/** A subject root the package derives (`dlq`) placed under the prefix: `tenant-a.dlq`. */
export function prefixedSubject(prefix: string | undefined, subject: string): string {
	if (!prefix || subject.startsWith(prefix)) return subject;
	return `${prefix}${subject}`;
}

/** Refuses a subject outside the prefix, before anything is sent. */
export function requireSubject(prefix: string, subject: string, what: PrefixedThing = 'subject'): void {
	if (!subjectUnderPrefix(prefix, subject)) throw new SubjectPrefixError(what, subject, prefix);
}

/** Refuses a stream (or `KV_`/`OBJ_` bucket stream) outside the prefix, before anything is sent. */
export function requireStream(prefix: string, stream: string): void {
	if (streamUnderPrefix(prefix, stream)) return;
	const bucket = /^(KV|OBJ)_(.+)$/.exec(stream);
	if (bucket) throw new SubjectPrefixError(bucket[1] === 'KV' ? 'key-value bucket' : 'object store bucket', bucket[2], prefix);
	throw new SubjectPrefixError('stream', stream, prefix);
}
