/**
 * What NATS.js throws, turned into the typed errors of `errors.ts`, with messages that name what
 * failed and hints that say what to change.
 *
 * NATS.js errors are recognised by `name` and JetStream API `code`, not by `instanceof`, so this file
 * needs no runtime import of the client (only the transport may have one) and still works when two
 * copies of the client are loaded.
 */

import { withJetStreamNode } from './advice';
import { JetStreamApiCodes, JetStreamNodeError, PermissionError, type ErrorContext } from './errors';
import { parseViolation, PERMISSION_HINT } from './permissions';

interface NatsLikeError {
	name?: string;
	message?: string;
	code?: unknown;
	cause?: unknown;
	api_error?: { code?: number; err_code?: number; description?: string };
}

function chain(error: unknown): NatsLikeError[] {
	const out: NatsLikeError[] = [];
	let current: unknown = error;
	while (current && typeof current === 'object' && out.length < 6) {
		out.push(current as NatsLikeError);
		current = (current as NatsLikeError).cause;
	}
	return out;
}

function apiCode(error: NatsLikeError): number | undefined {
	if (typeof error.code === 'number') return error.code;
	return error.api_error?.err_code;
}

function findByName(errors: NatsLikeError[], ...names: string[]): NatsLikeError | undefined {
	return errors.find((e) => e.name !== undefined && names.includes(e.name));
}

function systemCode(errors: NatsLikeError[]): string | undefined {
	for (const e of errors) {
		if (typeof e.code === 'string') return e.code;
	}
	return undefined;
}

const TLS_CODES = new Set([
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'CERT_HAS_EXPIRED',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'CERT_SIGNATURE_FAILURE',
	'EPROTO',
	'ERR_SSL_WRONG_VERSION_NUMBER',
]);

function connectionError(errors: NatsLikeError[], ctx: ErrorContext): JetStreamNodeError | undefined {
	const where = ctx.servers ? ` ${ctx.servers}` : ' the NATS server';
	const code = systemCode(errors);
	const text = errors.map((e) => e.message ?? '').join(' | ');
	if (findByName(errors, 'AuthorizationError') || /authorization violation/i.test(text)) {
		return new JetStreamNodeError('authentication', `The server refused the login (authorization violation)`, {
			hint: 'Check the user and password, token, NKey or JWT in the NATS credential',
		});
	}
	if (findByName(errors, 'UserAuthenticationExpiredError') || /expired/i.test(text)) {
		return new JetStreamNodeError('authentication', 'The user JWT in the credential has expired', {
			hint: 'Issue a new JWT or .creds file and update the credential',
		});
	}
	if (code && TLS_CODES.has(code)) {
		return new JetStreamNodeError('tls', `TLS verification of${where} failed (${code})`, {
			hint: 'Paste the CA certificate that signed the server certificate, or check the host name in the server URL',
		});
	}
	if (/tls|ssl|certificate/i.test(text) && !/ECONNREFUSED/.test(text)) {
		return new JetStreamNodeError('tls', `TLS negotiation with${where} failed: ${firstLine(text)}`, {
			hint: 'Check that "Use TLS" matches the server, and the CA and client certificates',
		});
	}
	if (code === 'ECONNREFUSED' || /connection refused/i.test(text)) {
		return new JetStreamNodeError('connection', `Nothing is listening at${where} (connection refused)`, {
			hint: 'Check the host and port in the credential and that the NATS server is running',
		});
	}
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		return new JetStreamNodeError('connection', `The host name in${where} does not resolve (${code})`, {
			hint: 'Check the spelling of the server host name',
		});
	}
	if (code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
		return new JetStreamNodeError('connection', `Could not reach${where} (${code})`, {
			hint: 'Check the network path and firewall between n8n and the server',
		});
	}
	if (findByName(errors, 'ConnectionError', 'ClosedConnectionError', 'DrainingConnectionError')) {
		return new JetStreamNodeError('connection', `Could not use the connection to${where}: ${firstLine(text)}`, {
			hint: 'Check that the NATS server is running and reachable',
		});
	}
	return undefined;
}

/** A missing stream, seen from an action node (the JetStream Trigger says more: consumer/missingStream.ts). */
export const STREAM_MISSING_HINT = `Check the name (Stream → Get Many lists the streams), or create the stream with ${withJetStreamNode('Stream → Create or Update')}`;

function jetStreamError(errors: NatsLikeError[], ctx: ErrorContext): JetStreamNodeError | undefined {
	const api = errors.find((e) => apiCode(e) !== undefined);
	const code = api ? apiCode(api) : undefined;
	const stream = ctx.stream ? `"${ctx.stream}"` : '';
	switch (code) {
		case JetStreamApiCodes.StreamNotFound:
			return new JetStreamNodeError('not-found', `Stream ${stream || '(unnamed)'} does not exist`, {
				hint: STREAM_MISSING_HINT,
			});
		case JetStreamApiCodes.ConsumerNotFound:
			return new JetStreamNodeError(
				'not-found',
				`Consumer "${ctx.consumer ?? '?'}" does not exist on stream ${stream || '(unnamed)'}`,
				{ hint: `Check its name, or create it with ${withJetStreamNode('Consumer → Create or Update')}; a JetStream Trigger makes its own with Consumer "Create or Update Consumer From These Settings"` },
			);
		case JetStreamApiCodes.NoMessageFound:
			return new JetStreamNodeError('not-found', `No message found${ctx.subject ? ` on subject "${ctx.subject}"` : ''}${stream ? ` in stream ${stream}` : ''}`);
		case JetStreamApiCodes.JetStreamNotEnabledForAccount:
			return new JetStreamNodeError('configuration', 'JetStream is not enabled for this account', {
				hint: 'Ask the NATS admin to enable JetStream for the account this credential logs into',
			});
		case JetStreamApiCodes.StreamWrongLastSequence:
			return new JetStreamNodeError('conflict', `The stream changed since you read it: ${api?.message ?? ''}`.trim(), {
				hint: 'Another publisher wrote first. Re-read the last sequence and retry, or remove "Expected Last Sequence" / "Expected Last Subject Sequence"',
			});
		case JetStreamApiCodes.StreamNotMatch:
			return new JetStreamNodeError('conflict', `Subject "${ctx.subject ?? '?'}" is stored by another stream than "${ctx.stream ?? '?'}"`, {
				hint: 'Fix "Expected Stream", or the subject',
			});
		case JetStreamApiCodes.StreamWrongLastMsgId:
			return new JetStreamNodeError('conflict', `The last message id in the stream is not the expected one: ${api?.message ?? ''}`.trim());
		case JetStreamApiCodes.StreamSubjectsOverlap:
			return new JetStreamNodeError('conflict', `The stream's subjects overlap another stream's subjects`, {
				hint: 'Each subject can be captured by only one stream; choose subjects no other stream uses',
			});
		case JetStreamApiCodes.StreamNameInUse:
			return new JetStreamNodeError('conflict', `A stream named ${stream} already exists with a different configuration`, {
				hint: 'Use "Update" or "Create or Update" to change an existing stream',
			});
		case JetStreamApiCodes.StreamReplicasNotSupported:
			return new JetStreamNodeError('configuration', 'This server is not a cluster: a stream or bucket with more than 1 replica cannot be created', {
				hint: 'Set the Replicas to 1: in the credential ("Replicas for Streams and Buckets the Nodes Create") for what the nodes create by themselves, or in the operation',
			});
		case JetStreamApiCodes.InsufficientResources:
		case JetStreamApiCodes.StorageResourcesExceeded:
		case JetStreamApiCodes.MaximumStreamsLimit:
			return new JetStreamNodeError('server', `JetStream has no room for ${stream ? `stream ${stream}` : 'this'}: ${api?.message ?? ''}`.trim(), {
				hint: 'The server or account reached its JetStream limits (storage, memory or number of streams): ask the NATS admin to raise them, or delete streams you no longer need',
			});
		case JetStreamApiCodes.MessageSizeExceedsMaximum:
			return new JetStreamNodeError('invalid-input', `The message is larger than the stream allows (max_msg_size)`, {
				hint: 'Send a smaller payload, or raise the stream\'s maximum message size',
			});
		case JetStreamApiCodes.ConsumerMaxDeliverBackoff:
			return new JetStreamNodeError('invalid-input', 'Max deliver must be greater than the number of backoff steps', {
				hint: 'Raise "Max Deliver" above the number of backoff delays, or remove some delays',
			});
		default:
			break;
	}
	if (api && code !== undefined) {
		return new JetStreamNodeError('server', `JetStream refused the request: ${api.message} (code ${code})`);
	}
	return undefined;
}

function requestError(errors: NatsLikeError[], ctx: ErrorContext): JetStreamNodeError | undefined {
	if (findByName(errors, 'JetStreamNotEnabled') && findByName(errors, 'NoRespondersError', 'NoResponders', 'RequestError')) {
		if (ctx.subject) {
			return new JetStreamNodeError('not-found', `No stream captures subject "${ctx.subject}"`, {
				hint: 'Create a stream whose subjects include this subject, or fix the subject',
			});
		}
		return new JetStreamNodeError('configuration', 'JetStream is not enabled on this server or account', {
			hint: 'Start nats-server with JetStream (-js) and enable it for the account',
		});
	}
	if (findByName(errors, 'JetStreamNotEnabled')) {
		return new JetStreamNodeError('configuration', 'JetStream is not enabled on this server or account', {
			hint: 'Start nats-server with JetStream (-js) and enable it for the account',
		});
	}
	if (findByName(errors, 'NoRespondersError', 'NoResponders')) {
		return new JetStreamNodeError('not-found', `Nobody is listening on subject "${ctx.subject ?? '?'}" (no responders)`, {
			hint: 'Start the service (or workflow) that answers on this subject, or check the subject',
		});
	}
	if (findByName(errors, 'TimeoutError')) {
		const after = ctx.timeoutMs ? ` after ${ctx.timeoutMs / 1000} s` : '';
		return new JetStreamNodeError('timeout', `No answer${ctx.subject ? ` on "${ctx.subject}"` : ''}${after} (timeout)`, {
			hint: 'The responder is slow or the server is busy: raise the timeout or check the responder',
		});
	}
	const perm = findByName(errors, 'PermissionViolationError');
	if (perm || /permissions violation/i.test(errors[0]?.message ?? '')) {
		const violation = parseViolation(perm?.message ?? errors[0]?.message ?? '');
		if (violation) return new PermissionError(violation.operation, violation.subject);
		return new JetStreamNodeError('permission', `Permission denied: ${firstLine(perm?.message ?? errors[0]?.message ?? '')}`, { hint: PERMISSION_HINT });
	}
	if (findByName(errors, 'InvalidSubjectError')) {
		return new JetStreamNodeError('invalid-input', `"${ctx.subject ?? ''}" is not a valid subject`, {
			hint: 'Subjects are tokens separated by dots, with no spaces (e.g. orders.created); wildcards * and > are not allowed when publishing',
		});
	}
	return undefined;
}

const firstLine = (text: string): string => text.split('\n')[0].slice(0, 300);

/**
 * Turns anything thrown by NATS.js (or by us) into a JetStreamNodeError whose message names what
 * failed and whose hint says what to change. Unknown errors keep their message.
 */
export function toNodeError(error: unknown, ctx: ErrorContext = {}): JetStreamNodeError {
	if (error instanceof JetStreamNodeError) return error;
	const errors = chain(error);
	const mapped = jetStreamError(errors, ctx) ?? requestError(errors, ctx) ?? connectionError(errors, ctx);
	if (mapped) {
		Object.defineProperty(mapped, 'cause', { value: error, enumerable: false });
		return mapped;
	}
	const message = error instanceof Error ? error.message : String(error);
	return new JetStreamNodeError('server', firstLine(message), { cause: error });
}

/** Whether the server answered with this JetStream API error code (err_code), mapped or not. */
export function hasApiCode(error: unknown, code: number): boolean {
	return chain(error).some((e) => apiCode(e) === code);
}

/** The JetStream API refusal in the error chain (its code and the server's words); undefined for other errors. */
export function apiRefusal(error: unknown): { code: number; text: string } | undefined {
	const e = chain(error).find((x) => apiCode(x) !== undefined);
	return e ? { code: apiCode(e) as number, text: e.api_error?.description ?? e.message ?? '' } : undefined;
}

/** The server said the stream does not exist (err_code 10059), whether or not the error was mapped already. */
export function isStreamNotFound(error: unknown): boolean {
	return chain(error).some(
		(e) => apiCode(e) === JetStreamApiCodes.StreamNotFound || e.name === 'StreamNotFoundError' || /stream not found/i.test(String(e.message ?? '')),
	);
}

/**
 * Why a JetStream request got no answer, when that is what happened: nobody listened ("no
 * responders": no stream leader right now, or no stream at all), nobody answered in time, or
 * JetStream said it is temporarily unavailable (a leader election). Undefined for a refusal.
 */
export function unansweredReason(error: unknown): 'no-responders' | 'timeout' | 'unavailable' | undefined {
	const errors = chain(error);
	const noResponders = errors.some(
		(e) =>
			e.name === 'NoRespondersError' ||
			e.name === 'NoResponders' ||
			(e.name === 'RequestError' && typeof (e as { isNoResponders?: () => boolean }).isNoResponders === 'function' && (e as { isNoResponders: () => boolean }).isNoResponders()),
	);
	if (noResponders) return 'no-responders';
	if (findByName(errors, 'TimeoutError')) return 'timeout';
	const unavailable = errors.some((e) => apiCode(e) === JetStreamApiCodes.ClusterUnavailable || /temporarily unavailable/i.test(e.api_error?.description ?? e.message ?? ''));
	return unavailable ? 'unavailable' : undefined;
}

/** Sentences in one string, one period between them however each one ends ("a. b", never "a.. b"). */
export function sentences(...parts: Array<string | undefined>): string {
	const given = parts.map((p) => p?.trim()).filter((p): p is string => Boolean(p));
	return given.map((p, i) => (i < given.length - 1 ? `${p.replace(/[.\s]+$/, '')}.` : p)).join(' ');
}

/** "message. hint" in one string, for places that have no separate description field. */
export function describeError(error: JetStreamNodeError): string {
	return sentences(error.message, error.hint);
}

/**
 * Names the feature that needed a refused right ("Skip Duplicates", "the trigger's consumer"), so the
 * error can be forwarded to an admin as it is. Any other error passes through unchanged.
 */
export async function needing<T>(feature: string, step: Promise<T>): Promise<T> {
	try {
		return await step;
	} catch (error) {
		throw forFeature(error, feature);
	}
}

export function forFeature(error: unknown, feature: string): unknown {
	const mapped = toNodeError(error);
	if (!(mapped instanceof PermissionError) || mapped.feature) return error;
	return new PermissionError(mapped.operation, mapped.subject, feature);
}
