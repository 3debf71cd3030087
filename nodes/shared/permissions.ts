/**
 * What a NATS subject is for, in words an admin and a citizen developer share: a permission
 * violation names only the subject ("$JS.API.CONSUMER.INFO.ORDERS.billing"), which says nothing to
 * whoever has to ask for the right. Pure functions: no client, no other module of ours.
 */

export type PermissionOperation = 'publish' | 'subscribe';

/** `Permissions Violation for Publish to "X"` / `for Subscription to "X" using queue "q"`. */
const VIOLATION = /Permissions Violation for (Publish|Subscription) to "([^"]+)"/i;

export function parseViolation(text: string): { operation: PermissionOperation; subject: string } | undefined {
	const match = VIOLATION.exec(text);
	if (!match) return undefined;
	return { operation: match[1].toLowerCase() === 'publish' ? 'publish' : 'subscribe', subject: match[2] };
}

const quote = (name: string) => `"${name}"`;

/** A stream name as the user knows it: KV_<bucket> is a key-value bucket, OBJ_<bucket> an object-store bucket. */
function streamWords(stream: string): string {
	if (stream.startsWith('KV_')) return `key-value bucket ${quote(stream.slice(3))}`;
	if (stream.startsWith('OBJ_')) return `object store bucket ${quote(stream.slice(4))}`;
	return `stream ${quote(stream)}`;
}

/** JetStream API subjects: $JS.API.<...>, $JS.<domain>.API.<...> (the tokens after "API"). */
function apiRight(tokens: string[]): string | undefined {
	const [area, verb, ...rest] = tokens;
	if (area === 'INFO' && verb === undefined) return "read the account's JetStream information";
	if (area === 'CONSUMER') {
		if (verb === 'MSG' && rest[0] === 'NEXT') return `pull messages from consumer ${quote(rest[2] ?? '?')} of stream ${quote(rest[1] ?? '?')}`;
		if (verb === 'DURABLE' && rest[0] === 'CREATE') return `create or update consumer ${quote(rest[2] ?? '?')} on stream ${quote(rest[1] ?? '?')}`;
		const [stream, consumer] = rest;
		if (verb === 'CREATE') return consumer ? `create or update consumer ${quote(consumer)} on ${streamWords(stream)}` : `create a temporary consumer on ${streamWords(stream ?? '?')}`;
		if (verb === 'INFO') return `read consumer ${quote(consumer ?? '?')} of ${streamWords(stream ?? '?')}`;
		if (verb === 'DELETE') return `delete consumer ${quote(consumer ?? '?')} of ${streamWords(stream ?? '?')}`;
		if (verb === 'LIST' || verb === 'NAMES') return `list the consumers of ${streamWords(stream ?? '?')}`;
	}
	if (area === 'STREAM') {
		if (verb === 'NAMES') return 'look up which stream stores a subject';
		if (verb === 'LIST') return 'list the streams';
		if (verb === 'MSG') return `${rest[0] === 'DELETE' ? 'delete messages of' : 'read messages of'} ${streamWords(rest[1] ?? '?')}`;
		const stream = streamWords(rest[0] ?? '?');
		const verbs: Record<string, string> = { INFO: 'read', CREATE: 'create', UPDATE: 'update', DELETE: 'delete', PURGE: 'purge' };
		if (verbs[verb]) return `${verbs[verb]} ${stream}`;
	}
	if (area === 'DIRECT' && verb === 'GET') return `read messages of ${streamWords(rest[0] ?? '?')}`;
	return undefined;
}

/** What the right to publish or subscribe to `subject` lets this package do. */
export function describeRight(operation: PermissionOperation, subject: string): string {
	const tokens = subject.split('.');
	if (tokens[0] === '$JS') {
		const api = tokens.indexOf('API');
		if (api === 1 || api === 2) {
			const words = apiRight(tokens.slice(api + 1));
			if (words) return words;
		}
		if (tokens[1] === 'ACK') {
			const [stream, consumer] = tokens.length >= 11 ? [tokens[4], tokens[5]] : [tokens[2], tokens[3]];
			return operation === 'publish'
				? `acknowledge messages of consumer ${quote(consumer ?? '?')} of stream ${quote(stream ?? '?')}`
				: `watch the acknowledgements of consumer ${quote(consumer ?? '?')} of stream ${quote(stream ?? '?')}`;
		}
		if (tokens[1] === 'FC' && tokens[2]?.startsWith('KV_')) return `answer the server's flow control while reading key-value bucket ${quote(tokens[2].slice(3))}`;
		if (tokens[1] === 'FC' && tokens[2]?.startsWith('OBJ_')) return `answer the server's flow control while reading object store bucket ${quote(tokens[2].slice(4))}`;
		if (tokens[1] === 'EVENT' && tokens[2] === 'ADVISORY') return `watch the server's advisories for consumer ${quote(tokens[6] ?? '?')} of stream ${quote(tokens[5] ?? '?')}`;
	}
	// $KV.<bucket>.<key>, or <api prefix>.$KV.<bucket>.<key> with a JetStream domain or API prefix.
	const kv = tokens.indexOf('$KV');
	if (kv >= 0) return `write to key-value bucket ${quote(tokens[kv + 1] ?? '?')}`;
	// $O.<bucket>.C.<nuid> (chunks) and $O.<bucket>.M.<name> (metadata), also behind an API prefix.
	const obj = tokens.indexOf('$O');
	if (obj >= 0) return `write objects to object store bucket ${quote(tokens[obj + 1] ?? '?')}`;
	if (tokens[0] === '_INBOX') return operation === 'subscribe' ? 'receive replies (every request needs this)' : 'answer a request';
	return operation === 'publish' ? `publish to ${quote(subject)}` : `subscribe to ${quote(subject)}`;
}

/** The sentence of a permission error; `feature` says what in the workflow needs the right. */
export function permissionMessage(operation: PermissionOperation, subject: string, feature?: string): string {
	const right = describeRight(operation, subject);
	const verb = operation === 'publish' ? 'publish to' : 'subscribe to';
	const who = feature ? `${feature} needs to ${right}` : `not allowed to ${right}`;
	return `Permission denied: ${who} — this credential's NATS user may not ${verb} "${subject}"`;
}

export const PERMISSION_HINT = "Ask the NATS admin to allow that subject for the credential's user; the README's Permissions section lists the rights of every feature";
