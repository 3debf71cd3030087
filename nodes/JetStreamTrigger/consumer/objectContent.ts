import { basename } from 'node:path';

import { toNodeError } from '../../shared/errorMapping';
import { PermissionError } from '../../shared/errors';
import { isObjectMeta, objectOperation, type StoredObjectMeta } from '../../shared/objectStore/objectMeta';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import { CorruptObjectError, readObjectVersion } from '../../shared/transport/objectRead';
import { PoisonMessageError } from '../../shared/payload/decode';
import type { ContentAttacher, DecodedMessage, GuardVerdict } from './hooks';
import type { PrepareBinary } from './output';

/**
 * "Download Content" of the object store trigger: the bytes of the object version a description
 * names become the item's binary data, streamed into n8n's binary store (never held whole in
 * memory here). A version replaced or deleted since has no bytes any more; the item says so and
 * the workflow still runs (its description is the change). Corrupt bytes never heal: the message
 * is dead-lettered. A read that fails otherwise waits and is tried again.
 */

const PROCESS: GuardVerdict = { action: 'process' };

function mimeTypeOf(meta: StoredObjectMeta): string | undefined {
	const entry = Object.entries(meta.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type');
	return entry?.[1]?.[0];
}

export class ObjectContent implements ContentAttacher {
	constructor(
		private readonly client: NatsClient,
		private readonly bucket: string,
		private readonly prepare: PrepareBinary,
		private readonly retryInMs: number,
		private readonly logger: TransportLogger,
	) {}

	async attach(message: DecodedMessage): Promise<GuardVerdict> {
		const { payload, delivery } = message;
		const meta = payload.kind === 'json' ? payload.value : undefined;
		if (!isObjectMeta(meta)) {
			const error = new PoisonMessageError(`Message ${delivery.streamSequence} on "${delivery.subject}" is not an object description (no "name")`);
			return { action: 'reject', error, kind: 'poison' };
		}
		if (objectOperation(meta) !== 'put') return PROCESS;
		const what = `object "${meta.name}" of bucket "${this.bucket}"`;
		try {
			const version = await readObjectVersion(this.client, this.bucket, meta.name, meta.nuid);
			if (!version.found) {
				message.content = { missing: `this version of the object was ${version.why} before it was read` };
				return PROCESS;
			}
			const started = Date.now();
			message.content = { binary: await this.prepare(version.data as unknown as Buffer, basename(meta.name) || meta.name, mimeTypeOf(meta)) };
			if ((meta.size ?? 0) >= 10 * 1024 * 1024) this.logger.info(`Read ${what} (${meta.size} bytes) in ${Date.now() - started} ms`);
			return PROCESS;
		} catch (error) {
			if (error instanceof CorruptObjectError) return { action: 'reject', error, kind: 'poison' };
			const mapped = toNodeError(error);
			if (mapped instanceof PermissionError) return { action: 'refused', error: mapped };
			return { action: 'wait', reason: `reading ${what} failed: ${mapped.message}`, retryInMs: this.retryInMs, outage: true };
		}
	}
}
