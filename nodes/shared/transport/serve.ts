import type { Msg } from '@nats-io/transport-node';

import { toNodeError } from '../errorMapping';
import type { NatsClient } from './client';
import { guarded } from './guarded';
import { headerRecord, toMsgHdrs, type HeaderRecord } from './headers';

/**
 * Answering core NATS requests: a (queue-group) subscription whose messages come out as
 * transport-neutral `IncomingRequest` objects, so the request trigger never touches the client library.
 */

/** One request (or a plain message, when it carries no reply subject). */
export interface IncomingRequest {
	readonly subject: string;
	readonly data: Uint8Array;
	readonly headers: HeaderRecord;
	/** False for a message published without a reply subject: there is no one to answer. */
	readonly expectsReply: boolean;
	/** Where the answer goes ('' without one): a Reply node elsewhere in the workflow may send it. */
	readonly replySubject: string;
	/** Sends the reply; false when there was no one to answer. */
	respond(data: Uint8Array, headers: HeaderRecord): boolean;
}

export interface RequestSubscription {
	/** Stops receiving; requests already received are still handled by the caller. */
	close(): Promise<void>;
	/** Resolves with the error when the server ended the subscription (e.g. permission denied). */
	readonly ended: Promise<Error | undefined>;
}

function toRequest(msg: Msg): IncomingRequest {
	return {
		subject: msg.subject,
		data: msg.data,
		headers: headerRecord(msg.headers),
		expectsReply: !!msg.reply,
		replySubject: msg.reply ?? '',
		respond: (data, headers) => msg.respond(data, { headers: toMsgHdrs(headers) }),
	};
}

/**
 * Subscribes to `subject` (in `queue` when given, so several instances share the requests) and
 * confirms with the server before returning, so a subject the user may not subscribe to fails here,
 * at activation, rather than silently later.
 */
export async function serveRequests(
	client: NatsClient,
	subject: string,
	queue: string | undefined,
	max: number | undefined,
	onRequest: (request: IncomingRequest) => void,
	onRequestFailed: (error: Error) => void,
): Promise<RequestSubscription> {
	let rejected: Error | undefined;
	const sub = client.nc.subscribe(subject, {
		queue,
		max,
		// A throw must not reach NATS.js: it would end the connection's reader.
		callback: guarded(
			(error, msg) => {
				if (error) rejected = error;
				else onRequest(toRequest(msg));
			},
			(error) => onRequestFailed(error),
		),
	});
	const ended = sub.closed.then((result) => (result instanceof Error ? toNodeError(result, { subject }) : undefined));
	try {
		await client.nc.flush();
	} catch (error) {
		sub.unsubscribe();
		throw toNodeError(error, { subject });
	}
	if (rejected) throw toNodeError(rejected, { subject });
	return {
		ended,
		close: async () => {
			if (sub.isClosed()) return;
			await sub.drain().catch(() => sub.unsubscribe());
		},
	};
}
