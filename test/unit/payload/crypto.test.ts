import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

import { CredentialsError } from '../../../nodes/shared/errors';
import { decryptPayload, DecryptError, encryptPayload, parseEncryptionKeys, type EncryptionKey } from '../../../nodes/shared/payload/crypto';
import { parseCredentials, secretValues } from '../../../nodes/shared/transport/credentials';

const key = (id: string): EncryptionKey => ({ id, key: randomBytes(32) });
const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

describe('payload encryption', () => {
	const k1 = key('k1');
	const k2 = key('k2');

	it('round-trips, and the stored bytes do not contain the clear text', () => {
		const sealed = encryptPayload('orders.new', Buffer.from('{"secret":"swordfish"}'), k1);
		expect(text(sealed.data)).not.toContain('swordfish');
		expect(sealed.headers).toEqual({ 'X-Enc-Alg': 'AES-256-GCM', 'X-Enc-Key-Id': 'k1' });
		expect(sealed.data.length).toBe(22 + 12 + 16);
		expect(text(decryptPayload('orders.new', sealed.data, sealed.headers, [k2, k1]))).toBe('{"secret":"swordfish"}');
	});

	it('uses a new nonce per message', () => {
		const a = encryptPayload('s', Buffer.from('same'), k1).data;
		const b = encryptPayload('s', Buffer.from('same'), k1).data;
		expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
	});

	it('refuses a ciphertext replayed on another subject, relabelled, altered, or with an unknown key id', () => {
		const sealed = encryptPayload('orders.new', Buffer.from('x'), k1);
		expect(() => decryptPayload('orders.other', sealed.data, sealed.headers, [k1])).toThrow(/fails authentication on subject "orders.other"/);
		const k1Bytes: EncryptionKey = { id: 'k2', key: k1.key };
		expect(() => decryptPayload('orders.new', sealed.data, { ...sealed.headers, 'X-Enc-Key-Id': 'k2' }, [k1Bytes])).toThrow(DecryptError);
		const altered = Buffer.from(sealed.data);
		altered[13] ^= 1;
		expect(() => decryptPayload('orders.new', altered, sealed.headers, [k1])).toThrow(DecryptError);
		expect(() => decryptPayload('orders.new', sealed.data, sealed.headers, [k2])).toThrow(/key id "k1", which the credential does not have/);
	});

	it('interoperates with plain crypto code that follows the README format', () => {
		// What a foreign producer writes: nonce ‖ ciphertext ‖ tag, AAD = subject + "\n" + key id.
		const nonce = randomBytes(12);
		const cipher = createCipheriv('aes-256-gcm', k2.key, nonce);
		cipher.setAAD(Buffer.from('orders.new\nk2'));
		const data = Buffer.concat([nonce, cipher.update('hello'), cipher.final(), cipher.getAuthTag()]);
		expect(text(decryptPayload('orders.new', data, { 'x-enc-alg': 'AES-256-GCM', 'x-enc-key-id': 'k2' }, [k1, k2]))).toBe('hello');
		// And what a foreign consumer reads.
		const sealed = Buffer.from(encryptPayload('a.b', Buffer.from('back'), k1).data);
		const decipher = createDecipheriv('aes-256-gcm', k1.key, sealed.subarray(0, 12));
		decipher.setAAD(Buffer.from('a.b\nk1'));
		decipher.setAuthTag(sealed.subarray(sealed.length - 16));
		expect(Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString()).toBe('back');
	});

	it('reads the credential field, refusing bad keys without printing them', () => {
		const good = randomBytes(32).toString('base64');
		expect(parseEncryptionKeys(JSON.stringify([{ id: 'a', key: good }])).map((k) => k.id)).toEqual(['a']);
		expect(parseEncryptionKeys('')).toEqual([]);
		const short = randomBytes(16).toString('base64');
		const error = (() => {
			try {
				parseEncryptionKeys(JSON.stringify([{ id: 'a', key: short }]));
			} catch (e) {
				return e as Error;
			}
			return undefined;
		})();
		expect(error).toBeInstanceOf(CredentialsError);
		expect(error?.message).toMatch(/"Encryption Keys" key "a" is not base64 of exactly 32 bytes/);
		expect(error?.message).not.toContain(short);
		expect(() => parseEncryptionKeys('{')).toThrow(/"Encryption Keys" is not valid JSON/);
		expect(() => parseEncryptionKeys(JSON.stringify([{ id: 'a', key: good }, { id: 'a', key: good }]))).toThrow(/id "a" twice/);
	});

	it('masks the key material like the other secrets', () => {
		const good = randomBytes(32).toString('base64');
		const credentials = parseCredentials({ servers: 'nats://127.0.0.1:4222', encryptionKeys: JSON.stringify([{ id: 'a', key: good }]) });
		expect(secretValues(credentials)).toContain(good);
	});
});
