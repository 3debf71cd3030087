/**
 * Typed errors with messages a citizen developer can act on: the classes and the JetStream API codes
 * we explain. Turning what NATS.js throws into one of these is `errorMapping.ts`.
 */

import { permissionMessage, PERMISSION_HINT, type PermissionOperation } from './permissions';

/** JetStream API error codes we explain (server `err_code`). */
export const JetStreamApiCodes = {
	ConsumerNotFound: 10014,
	NoMessageFound: 10037,
	JetStreamNotEnabledForAccount: 10039,
	StreamNameInUse: 10058,
	StreamNotFound: 10059,
	StreamWrongLastSequence: 10071,
	StreamNotMatch: 10060,
	StreamSubjectsOverlap: 10065,
	ConsumerNameExists: 10013,
	ConsumerAlreadyExists: 10105,
	ConsumerMaxDeliverBackoff: 10116,
	StreamWrongLastMsgId: 10070,
	StreamWrongLastSequenceUnknown: 10164,
	MaximumMessagesExceeded: 10077,
	MessageSizeExceedsMaximum: 10054,
	InsufficientResources: 10023,
	MaximumStreamsLimit: 10027,
	StorageResourcesExceeded: 10047,
	StreamReplicasNotSupported: 10074,
	ConsumerCreate: 10012,
	/** Server 2.11+: a Nats-TTL header the server cannot parse. */
	MessageTtlInvalid: 10165,
	/** Server 2.11+: a Nats-TTL header on a stream (or KV bucket) without per-message TTL. */
	MessageTtlDisabled: 10166,
	/** "JetStream system temporarily unavailable": a cluster electing a leader. */
	ClusterUnavailable: 10008,
} as const;

export type ErrorCategory =
	| 'configuration'
	| 'connection'
	| 'authentication'
	| 'tls'
	| 'timeout'
	| 'permission'
	| 'not-found'
	| 'conflict'
	| 'invalid-input'
	| 'server-version'
	| 'server';

/** Base class: `message` is for the user, `hint` says what to change, `cause` keeps the original. */
export class JetStreamNodeError extends Error {
	readonly category: ErrorCategory;

	readonly hint?: string;

	constructor(category: ErrorCategory, message: string, options: { hint?: string; cause?: unknown } = {}) {
		super(message, options.cause === undefined ? undefined : { cause: options.cause });
		this.name = 'JetStreamNodeError';
		this.category = category;
		this.hint = options.hint;
	}
}

/** The server refused a publish or subscription: which subject, and what needed it. */
export class PermissionError extends JetStreamNodeError {
	readonly operation: PermissionOperation;

	readonly subject: string;

	readonly feature?: string;

	constructor(operation: PermissionOperation, subject: string, feature?: string) {
		super('permission', permissionMessage(operation, subject, feature), { hint: PERMISSION_HINT });
		this.name = 'PermissionError';
		this.operation = operation;
		this.subject = subject;
		this.feature = feature;
	}
}

/** A credential field is missing or malformed. */
export class CredentialsError extends JetStreamNodeError {
	constructor(message: string, hint?: string) {
		super('configuration', message, { hint });
		this.name = 'CredentialsError';
	}
}

/** A node parameter has a value we refuse (says which field and which value). */
export class InvalidParameterError extends JetStreamNodeError {
	readonly field: string;

	constructor(field: string, message: string, hint?: string) {
		super('invalid-input', message, { hint });
		this.name = 'InvalidParameterError';
		this.field = field;
	}
}

/** The server is too old for an option. */
export class ServerVersionError extends JetStreamNodeError {
	constructor(feature: string, required: string, actual: string) {
		super(
			'server-version',
			`${feature} needs NATS server ${required} or newer; this server runs ${actual}`,
			{ hint: `Upgrade the NATS server to ${required}+, or turn this option off` },
		);
		this.name = 'ServerVersionError';
	}
}

/** What a Subject Prefix refusal is about. */
export type PrefixedThing = 'subject' | 'filter subject' | 'stream subject' | 'stream' | 'key-value bucket' | 'object store bucket';

/**
 * A subject or name outside the credential's Subject Prefix, refused before anything was sent: the
 * n8n-side guard for tenants that share one NATS account.
 */
export class SubjectPrefixError extends JetStreamNodeError {
	readonly value: string;

	readonly prefix: string;

	constructor(what: PrefixedThing, value: string, prefix: string) {
		const isSubject = what.endsWith('subject');
		const stem = prefix.replace(/\.$/, '').replace(/\./g, '_');
		super('permission', `The ${what} "${value}" is outside the Subject Prefix "${prefix}" of the NATS credential; nothing was sent`, {
			hint: isSubject
				? `Use a ${what} that starts with "${prefix}" (e.g. "${prefix}orders"), or a credential of the tenant that owns "${value}"`
				: `Use a ${what} name that starts with "${stem}_" or "${stem}-" (case does not matter, e.g. "${stem}_orders"), or a credential of the tenant that owns "${value}"`,
		});
		this.name = 'SubjectPrefixError';
		this.value = value;
		this.prefix = prefix;
	}
}

/** What we knew when the error happened; used to name the stream, subject, server in the message. */
export interface ErrorContext {
	subject?: string;
	stream?: string;
	consumer?: string;
	bucket?: string;
	key?: string;
	servers?: string;
	timeoutMs?: number;
}
