import {
	NodeApiError,
	type ILoadOptionsFunctions,
	type INodeListSearchItems,
	type INodeListSearchResult,
} from 'n8n-workflow';

import { DEFAULT_DLQ_SUBJECT_PREFIX } from '../deadLetter/naming';
import { PermissionError } from '../errors';
import { toNodeError } from '../errorMapping';
import { describeRight } from '../permissions';
import { DEFAULT_SCHEMA_BUCKET, SchemaRegistry } from '../schema';
import {
	connectionPool,
	isListSubject,
	KV_STREAM_PREFIX,
	listBuckets,
	listConsumers,
	listObjectBuckets,
	OBJ_BUCKET_STREAM_PREFIX,
	listStreams,
	namesSubjectOf,
	parseCredentials,
	type NatsClient,
	type StreamListing,
} from '../transport';
import { locatorName, SEARCH_METHODS } from './locators';
import { transportLogger } from './logger';

/**
 * The lists behind the "From List" pickers (locators.ts), loaded through the node's credential on the
 * pooled connection. A refusal says which right is missing and to type the name instead ("By Name"
 * needs no right to list). Errors are NodeApiErrors: n8n 2.41's editor shows the message and the
 * description of those in the list, but only the message of any other error.
 */

type Search = (this: ILoadOptionsFunctions, filter?: string) => Promise<INodeListSearchResult>;

async function withClient<T>(fn: ILoadOptionsFunctions, use: (client: NatsClient) => Promise<T>): Promise<T> {
	const credentials = parseCredentials(await fn.getCredentials('jetStreamNatsApi'));
	const lease = await connectionPool.acquire(credentials, transportLogger(fn.logger, fn.getNode().name));
	try {
		return await use(lease.client);
	} finally {
		lease.release();
	}
}

/** The editor splits a message at dashes; these sentences have none of their own. */
function listError(fn: ILoadOptionsFunctions, error: unknown, what: string): NodeApiError {
	if (error instanceof NodeApiError) return error;
	const mapped = toNodeError(error);
	if (mapped instanceof PermissionError) {
		const verb = mapped.operation === 'publish' ? 'publish to' : 'subscribe to';
		const names = isListSubject(mapped.subject) ? ` (or "${namesSubjectOf(mapped.subject)}" for the names alone)` : '';
		return new NodeApiError(fn.getNode(), { message: mapped.message }, {
			message: `Permission denied: this credential's NATS user may not ${describeRight(mapped.operation, mapped.subject)}. Choose "By Name" and type the ${what} name instead`,
			description:
				`The server refused ${verb} "${mapped.subject}". Typing a name needs no right to list. To use the list, ask the NATS admin to allow ` +
				`that subject${names} for this credential's user; the README's Permissions section lists the rights of every feature.`,
		});
	}
	return new NodeApiError(fn.getNode(), { message: mapped.message }, { message: mapped.message, description: mapped.hint ?? `Choose "By Name" and type the ${what} name instead` });
}

/** A value the list depends on, refused when it is empty or an expression (the editor cannot resolve it here). */
function dependency(fn: ILoadOptionsFunctions, parameter: string, label: string, what: string, fallback?: string): string {
	const raw = locatorName(fn.getCurrentNodeParameter(parameter)).trim();
	if (raw.startsWith('=')) {
		throw new NodeApiError(fn.getNode(), { message: `${label} is an expression` }, {
			message: `${label} is an expression, so the list cannot tell which one to read`,
			description: `Choose "By Name" and type the ${what} name, or give ${label} a fixed value`,
		});
	}
	if (raw !== '') return raw;
	if (fallback !== undefined) return fallback;
	throw new NodeApiError(fn.getNode(), { message: `${label} is empty` }, {
		message: `Choose the ${label} first: the list shows what it holds`,
		description: `Or choose "By Name" and type the ${what} name`,
	});
}

/** Case-insensitive match on the name or the description (a stream's subjects), sorted by the name itself (the value). */
function results(items: INodeListSearchItems[], filter?: string): INodeListSearchResult {
	const wanted = (filter ?? '').trim().toLowerCase();
	const matching = wanted === '' ? items : items.filter((i) => `${i.name}\n${i.description ?? ''}`.toLowerCase().includes(wanted));
	return { results: [...matching].sort((a, b) => String(a.value).localeCompare(String(b.value))) };
}

/** "orders.>, orders.x · what the admin wrote": subjects (or filters) and description, when there are any. */
const detailsText = (subjects: string[], description?: string) => [subjects.join(', '), description].filter(Boolean).join(' · ') || undefined;
const subjectsText = (s: StreamListing) => detailsText(s.subjects, s.description);

/** Where the README tells a user on an empty server what to do; the hint's entries link to it. */
const EMPTY_SERVER_DOCS = 'https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#on-an-empty-server';

/**
 * A list with nothing to show: instead of n8n's bare "No results", two lines saying what to do from this
 * node. n8n 2.41's editor shows an entry whose value is a boolean but ignores a click (or Enter) on it,
 * and drops an entry whose value it has seen: so two lines at most, valued false and true. Each fits
 * the list's one line per entry; its link icon opens the README.
 */
function emptyList(nothing: string, next: string): INodeListSearchResult {
	return {
		results: [
			{ name: nothing, value: false, url: EMPTY_SERVER_DOCS },
			{ name: next, value: true, url: EMPTY_SERVER_DOCS },
		],
	};
}

/** The way forward from where the user stands: the JetStream node, a trigger that binds, or one that creates. */
function fromHere(fn: ILoadOptionsFunctions, advice: { node: string; bind: string; create: string }): string {
	if (!fn.getNode().type.endsWith('jetStreamTrigger')) return advice.node;
	return fn.getCurrentNodeParameter('consumerMode') === 'bind' ? advice.bind : advice.create;
}

const noStreamsYet = (fn: ILoadOptionsFunctions) =>
	emptyList(
		'No streams on this server yet',
		fromHere(fn, {
			node: 'Create one with a JetStream node: Stream → Create',
			bind: 'Ask the NATS admin for the stream and consumer to bind to',
			create: 'Choose "By Name", type a name, turn on "Create Stream If Missing"',
		}),
	);

const noConsumersYet = (fn: ILoadOptionsFunctions, stream: string) =>
	emptyList(
		`No consumers on stream "${stream}" yet`,
		fromHere(fn, {
			node: 'Create one with a JetStream node: Consumer → Create or Update',
			bind: 'Ask the NATS admin, or let the trigger create its consumer (Create or Update Consumer)',
			create: 'Choose "By Name" and type a new name: the trigger creates the consumer',
		}),
	);

const SUBJECTS_IN_NAME = 3;

/**
 * A stream as the list shows it: "ORDERS (orders.>, payments.*)". n8n 2.41's list shows only an
 * item's name, so the subjects a stream captures go there (the first three, then how many more);
 * the value stays the bare name.
 */
export function streamItem(s: StreamListing): INodeListSearchItems {
	const shown = s.subjects.slice(0, SUBJECTS_IN_NAME).join(', ');
	const more = s.subjects.length > SUBJECTS_IN_NAME ? ` +${s.subjects.length - SUBJECTS_IN_NAME} more` : '';
	return { name: shown ? `${s.name} (${shown}${more})` : s.name, value: s.name, description: subjectsText(s) };
}

export async function searchStreams(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const streams = await withClient(this, listStreams);
		if (streams.length === 0) return noStreamsYet(this);
		return results(streams.map(streamItem), filter);
	} catch (error) {
		throw listError(this, error, 'stream');
	}
}

/** The consumers of the node's `stream`. */
export async function searchConsumers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const stream = dependency(this, 'stream', 'Stream', 'consumer');
	try {
		const consumers = await withClient(this, (client) => listConsumers(client, stream));
		if (consumers.length === 0) return noConsumersYet(this, stream);
		return results(consumers.map((c) => ({ name: c.name, value: c.name, description: detailsText(c.filterSubjects, c.description) })), filter);
	} catch (error) {
		throw listError(this, toNodeError(error, { stream }), 'consumer');
	}
}

export async function searchBuckets(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const buckets = await withClient(this, listBuckets);
		if (buckets.length === 0) return emptyList('No key-value buckets on this server yet', 'Choose "By Name" and type one; Key-Value → Create Bucket makes one');
		return results(buckets.map((b) => ({ name: b.name, value: b.name, description: b.description })), filter);
	} catch (error) {
		throw listError(this, error, 'bucket');
	}
}

export async function searchObjectBuckets(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const buckets = await withClient(this, listObjectBuckets);
		if (buckets.length === 0) return emptyList('No object store buckets on this server yet', 'Choose "By Name" and type one; Object Store → Create Bucket makes one');
		return results(buckets.map((b) => ({ name: b.name, value: b.name, description: b.description })), filter);
	} catch (error) {
		throw listError(this, error, 'bucket');
	}
}

/** `dlq.…`, or under a Subject Prefix `tenant-a.dlq.…`. */
const DEAD_LETTER_SUBJECT = new RegExp(`(^|\\.)${DEFAULT_DLQ_SUBJECT_PREFIX}\\.`);
const capturesDeadLetters = (s: StreamListing) => s.subjects.some((subject) => DEAD_LETTER_SUBJECT.test(subject));

/** Every stream but key-value and object-store buckets; those storing dead-letter subjects (dlq.>) first. */
export async function searchDeadLetterStreams(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	try {
		const streams = (await withClient(this, listStreams)).filter((s) => !s.name.startsWith(KV_STREAM_PREFIX) && !s.name.startsWith(OBJ_BUCKET_STREAM_PREFIX));
		if (streams.length === 0) return emptyList('No dead-letter stream yet', 'A JetStream Trigger creates "DLQ" at its first dead letter, or use Dead Letter → Create Stream');
		const { results: sorted } = results(streams.map(streamItem), filter);
		const first = new Set(streams.filter(capturesDeadLetters).map((s) => s.name));
		return { results: [...sorted.filter((r) => first.has(String(r.value))), ...sorted.filter((r) => !first.has(String(r.value)))] };
	} catch (error) {
		throw listError(this, error, 'stream');
	}
}

/** The schema names of the node's `registryBucket` (none yet when the bucket does not exist). */
export async function searchSchemas(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const bucket = dependency(this, 'registryBucket', 'Registry Bucket', 'schema', DEFAULT_SCHEMA_BUCKET);
	try {
		const schemas = await withClient(this, async (client) => {
			const registry = await SchemaRegistry.open(client, bucket, false).catch((error: unknown) => {
				if (toNodeError(error).category === 'not-found') return undefined;
				throw error;
			});
			return (await registry?.list()) ?? [];
		});
		if (schemas.length === 0) return emptyList(`No schemas in bucket "${bucket}" yet`, 'Register one with a JetStream node: Schema → Register Version');
		return results(
			schemas.map((s) => ({ name: s.name, value: s.name, description: `versions ${s.versions.join(', ')}, latest ${s.latest}, ${s.compatibility} compatibility` })),
			filter,
		);
	} catch (error) {
		throw listError(this, error, 'schema');
	}
}

/** `methods.listSearch` of both nodes, by the names the pickers ask for. */
export const listSearch: Record<(typeof SEARCH_METHODS)[keyof typeof SEARCH_METHODS], Search> = {
	searchStreams,
	searchConsumers,
	searchBuckets,
	searchObjectBuckets,
	searchDeadLetterStreams,
	searchSchemas,
};
