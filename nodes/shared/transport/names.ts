import { PermissionError } from '../errors';
import { toNodeError } from '../errorMapping';
import { apiPrefix, type NatsClient } from './client';
import { streamVisible } from './subjectPrefix';

/**
 * What the editor's pickers list: the streams, consumers and key-value buckets the server has. Each
 * asks for the full listing first (it carries subjects and descriptions) and, when the user may not
 * have it, for the names alone: an admin often grants `$JS.API.STREAM.NAMES` (the trigger looks up
 * its dead-letter stream with it) but not `$JS.API.STREAM.LIST`.
 */

export interface StreamListing {
	name: string;
	/** Empty when only the names could be read. */
	subjects: string[];
	description?: string;
}

export interface ConsumerListing {
	name: string;
	/** Empty when only the names could be read, or when the consumer reads every subject. */
	filterSubjects: string[];
	description?: string;
}

export interface BucketListing {
	/** The bucket, without the KV_ of its stream. */
	name: string;
	description?: string;
}

/** A key-value bucket `b` is stored in the stream `KV_b`. */
export const KV_STREAM_PREFIX = 'KV_';

const REQUEST_TIMEOUT_MS = 5_000;

/** A full listing's subject (`…STREAM.LIST`, `…CONSUMER.LIST.<s>`, any API prefix). */
export const isListSubject = (subject: string): boolean => /\.LIST(\.|$)/.test(subject);

/** `$JS.API.STREAM.LIST` → `$JS.API.STREAM.NAMES`: the names alone, at the same place. */
export const namesSubjectOf = (listSubject: string): string => listSubject.replace(/\.LIST(\.|$)/, '.NAMES$1');

/** The full listing, or `names()` when the server refuses the full listing's subject. */
async function listingOrNames<T>(full: () => Promise<T[]>, names: () => Promise<T[]>, context: { stream?: string }): Promise<T[]> {
	try {
		return await full();
	} catch (error) {
		const refused = toNodeError(error, context);
		if (!(refused instanceof PermissionError) || !isListSubject(refused.subject)) throw refused;
		try {
			return await names();
		} catch (second) {
			const mapped = toNodeError(second, context);
			// Both refused: the full listing is the right to ask for; say it as the first refusal.
			throw mapped instanceof PermissionError && mapped.subject === namesSubjectOf(refused.subject) ? refused : mapped;
		}
	}
}

/** Every stream of the account (read-only); under a Subject Prefix only the streams under it. */
export async function listStreams(client: NatsClient): Promise<StreamListing[]> {
	const jsm = await client.jsm();
	const visible = (s: StreamListing) => streamVisible(client.credentials.subjectPrefix, s.name);
	const all = await listingOrNames(
		async () => {
			const out: StreamListing[] = [];
			for await (const info of jsm.streams.list()) {
				out.push({ name: info.config.name, subjects: info.config.subjects ?? [], description: info.config.description || undefined });
			}
			return out;
		},
		async () => {
			const out: StreamListing[] = [];
			for await (const name of jsm.streams.names()) out.push({ name, subjects: [] });
			return out;
		},
		{},
	);
	return all.filter(visible);
}

/** Every key-value bucket of the account: the streams named KV_<bucket>. */
export async function listBuckets(client: NatsClient): Promise<BucketListing[]> {
	return (await listStreams(client))
		.filter((s) => s.name.startsWith(KV_STREAM_PREFIX) && s.name.length > KV_STREAM_PREFIX.length)
		.map((s) => ({ name: s.name.slice(KV_STREAM_PREFIX.length), description: s.description }));
}

/** An object-store bucket `b` is stored in the stream `OBJ_b`. */
export const OBJ_BUCKET_STREAM_PREFIX = 'OBJ_';

/** Every object-store bucket of the account: the streams named OBJ_<bucket>. */
export async function listObjectBuckets(client: NatsClient): Promise<BucketListing[]> {
	return (await listStreams(client))
		.filter((s) => s.name.startsWith(OBJ_BUCKET_STREAM_PREFIX) && s.name.length > OBJ_BUCKET_STREAM_PREFIX.length)
		.map((s) => ({ name: s.name.slice(OBJ_BUCKET_STREAM_PREFIX.length), description: s.description }));
}

interface NamesPage {
	error?: { code?: number; err_code?: number; description?: string };
	consumers?: string[] | null;
	total?: number;
	limit?: number;
}

/** `CONSUMER.NAMES.<stream>`, page by page (the client library has no call for it). */
async function consumerNames(client: NatsClient, stream: string): Promise<ConsumerListing[]> {
	const subject = `${apiPrefix(client.credentials)}.CONSUMER.NAMES.${stream}`;
	const out: ConsumerListing[] = [];
	for (;;) {
		const reply = await client.nc.request(subject, JSON.stringify({ offset: out.length }), { timeout: REQUEST_TIMEOUT_MS });
		const page = reply.json<NamesPage>();
		if (page.error) throw Object.assign(new Error(page.error.description ?? 'JetStream API error'), { name: 'JetStreamApiError', api_error: page.error });
		const names = page.consumers ?? [];
		out.push(...names.map((name) => ({ name, filterSubjects: [] })));
		if (names.length === 0 || out.length >= (page.total ?? 0)) return out;
	}
}

/** Every consumer of `stream` (read-only). */
export async function listConsumers(client: NatsClient, stream: string): Promise<ConsumerListing[]> {
	const jsm = await client.jsm();
	return await listingOrNames(
		async () => {
			const out: ConsumerListing[] = [];
			for await (const info of jsm.consumers.list(stream)) {
				const { config } = info;
				// Ephemeral ones (a trigger's test run) vanish on their own: nothing to bind to.
				if (!config.durable_name) continue;
				const filters = config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : []);
				out.push({ name: info.name, filterSubjects: filters, description: config.description || undefined });
			}
			return out;
		},
		() => consumerNames(client, stream),
		{ stream },
	);
}
