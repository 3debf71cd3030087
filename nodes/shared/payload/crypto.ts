import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { CredentialsError, JetStreamNodeError } from '../errors';
import { headerValue, type HeaderRecord } from '../transport/headers';

/**
 * End-to-end payload encryption (AES-256-GCM). The wire format, so any language can speak it:
 * data = 12-byte random nonce ‖ ciphertext ‖ 16-byte GCM tag; headers X-Enc-Alg: AES-256-GCM and
 * X-Enc-Key-Id: <key id>; associated data = UTF-8 of `<subject>\n<key id>` (a subject and a key id
 * never contain a newline), so a ciphertext copied to another subject, or relabelled with another key
 * id, fails authentication. Not `Nats-` headers: a dead-letter copy keeps them.
 */

export const EncryptionHeaders = { Algorithm: 'X-Enc-Alg', KeyId: 'X-Enc-Key-Id' } as const;
export const ENCRYPTION_ALGORITHM = 'AES-256-GCM';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface EncryptionKey {
	readonly id: string;
	readonly key: Buffer;
}

/** A message that cannot be decrypted with the keys at hand. Names the key id, never key bytes. */
export class DecryptError extends JetStreamNodeError {
	readonly keyId: string | undefined;

	constructor(message: string, keyId: string | undefined) {
		super('invalid-input', message, { hint: 'Add the key with this id to "Encryption Keys" of the NATS credential, or check that the producer uses the same key' });
		this.name = 'DecryptError';
		this.keyId = keyId;
	}
}

function associatedData(subject: string, keyId: string): Buffer {
	return Buffer.from(`${subject}\n${keyId}`, 'utf8');
}

export function encryptPayload(subject: string, plaintext: Uint8Array, key: EncryptionKey): { data: Uint8Array; headers: HeaderRecord } {
	const nonce = randomBytes(NONCE_BYTES);
	const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
	cipher.setAAD(associatedData(subject, key.id));
	const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
	const data = Buffer.concat([nonce, body, cipher.getAuthTag()]);
	return { data, headers: { [EncryptionHeaders.Algorithm]: ENCRYPTION_ALGORITHM, [EncryptionHeaders.KeyId]: key.id } };
}

/** Whether a message says it is encrypted (carries the algorithm header). */
export function isEncrypted(headers: HeaderRecord): boolean {
	return headerValue(headers, EncryptionHeaders.Algorithm) !== undefined;
}

/** The clear text of an encrypted message; `subject` is the one it was encrypted for. Throws DecryptError. */
export function decryptPayload(subject: string, data: Uint8Array, headers: HeaderRecord, keys: readonly EncryptionKey[]): Buffer {
	const algorithm = headerValue(headers, EncryptionHeaders.Algorithm);
	const keyId = headerValue(headers, EncryptionHeaders.KeyId);
	if (algorithm !== ENCRYPTION_ALGORITHM) throw new DecryptError(`Unsupported encryption algorithm "${algorithm ?? ''}" (only ${ENCRYPTION_ALGORITHM})`, keyId);
	if (keyId === undefined) throw new DecryptError(`The encrypted message has no ${EncryptionHeaders.KeyId} header`, undefined);
	const key = keys.find((k) => k.id === keyId);
	if (!key) throw new DecryptError(`The message is encrypted with key id "${keyId}", which the credential does not have`, keyId);
	if (data.length < NONCE_BYTES + TAG_BYTES) throw new DecryptError(`The message encrypted with key id "${keyId}" is too short (${data.length} bytes)`, keyId);
	const bytes = Buffer.from(data.buffer, data.byteOffset, data.length);
	try {
		const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(0, NONCE_BYTES));
		decipher.setAAD(associatedData(subject, keyId));
		decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
		return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
	} catch {
		// GCM says only "unable to authenticate": the reasons it can have are listed instead.
		throw new DecryptError(`The message encrypted with key id "${keyId}" fails authentication on subject "${subject}" (wrong key, another subject, or altered bytes)`, keyId);
	}
}

/** Like decryptPayload, but the failure is returned: a message that cannot be opened is a verdict, not a crash. */
export function openPayload(subject: string, data: Uint8Array, headers: HeaderRecord, keys: readonly EncryptionKey[]): Buffer | DecryptError {
	try {
		return decryptPayload(subject, data, headers, keys);
	} catch (error) {
		return error instanceof DecryptError ? error : new DecryptError(`The message could not be decrypted: ${(error as Error).message}`, headerValue(headers, EncryptionHeaders.KeyId));
	}
}

/**
 * The credential's "Encryption Keys" field: a JSON list `[{ "id": "k2026", "key": "<base64 of 32 bytes>" }]`,
 * the first one encrypts. Errors name the field and the entry, never the key.
 */
export function parseEncryptionKeys(raw: string | undefined): EncryptionKey[] {
	if (raw === undefined || raw.trim() === '') return [];
	const hint = 'Use a JSON list like [{ "id": "k2026", "key": "<base64 of 32 random bytes>" }]';
	let list: unknown;
	try {
		list = JSON.parse(raw);
	} catch {
		throw new CredentialsError('"Encryption Keys" is not valid JSON', hint);
	}
	if (!Array.isArray(list) || list.length === 0) throw new CredentialsError('"Encryption Keys" must be a non-empty JSON list', hint);
	const ids = new Set<string>();
	return list.map((entry: unknown, index) => {
		const { id, key } = (entry ?? {}) as { id?: unknown; key?: unknown };
		if (typeof id !== 'string' || !KEY_ID.test(id)) throw new CredentialsError(`"Encryption Keys" entry ${index + 1} needs an "id" of 1-64 letters, digits, ".", "_" or "-"`, hint);
		if (ids.has(id)) throw new CredentialsError(`"Encryption Keys" has the id "${id}" twice`, 'Give every key its own id');
		ids.add(id);
		const bytes = typeof key === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(key.trim()) ? Buffer.from(key.trim(), 'base64') : undefined;
		if (bytes?.length !== 32) throw new CredentialsError(`"Encryption Keys" key "${id}" is not base64 of exactly 32 bytes`, 'Create one with: openssl rand -base64 32');
		return { id, key: bytes };
	});
}
