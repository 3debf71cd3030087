import { basename } from 'node:path';

import { toNodeError } from '../../shared/errorMapping';
import { PermissionError } from '../../shared/errors';
import type { Outage } from '../../shared/n8n/outage';
import { isObjectMeta, objectOperation, type StoredObjectMeta } from '../../shared/objectStore/objectMeta';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import { CorruptObjectError, objectVersionGone, openObjectVersion, type ObjectVersionRef } from '../../shared/transport/objectRead';
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
/** Reads this large are logged with their time. */
const LARGE_BYTES = 10 * 1024 * 1024;

function mimeTypeOf(meta: StoredObjectMeta): string | undefined {
	const entry = Object.entries(meta.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type');
	return entry?.[1]?.[0];
}

export class ObjectContent implements ContentAttacher {
	constructor(
		private readonly client: NatsClient,
		private readonly bucket: string,
		private readonly prepare: PrepareBinary,
		/** Reads that keep failing are said (a log line, then a failed execution) rather than retried in silence. */
		private readonly outage: Outage,
		private readonly logger: TransportLogger,
	) {}

	async attach(message: DecodedMessage): Promise<GuardVerdict> {
		const { payload, delivery } = message;
		const meta = payload.kind === 'json' ? payload.value : undefined;
		if (!isObjectMeta(meta)) {
			const error = new PoisonMessageError(`Message ${delivery.streamSequence} on "${delivery.subject}" is not an object description (no "name")`);
			return { action: 'reject', error, kind: 'poison' };
		}
		if (objectOperation(meta) !== 'put' || !meta.nuid) return PROCESS;
		const ref = { bucket: this.bucket, name: meta.name, nuid: meta.nuid, size: meta.size ?? 0, digest: meta.digest ?? '' };
		try {
			if (await this.gone(message, ref)) return this.answered();
			const started = Date.now();
			const data = await openObjectVersion(this.client, ref);
			message.content = { binary: await this.prepare(data, basename(meta.name) || meta.name, mimeTypeOf(meta)) };
			if (ref.size >= LARGE_BYTES) this.logger.info(`Read object "${ref.name}" of bucket "${ref.bucket}" (${ref.size} bytes) in ${Date.now() - started} ms`);
			return this.answered();
		} catch (error) {
			return await this.failed(message, ref, error);
		}
	}

	/** A version replaced or deleted since has no bytes any more: the item says so. */
	private async gone(message: DecodedMessage, ref: ObjectVersionRef): Promise<boolean> {
		const why = await objectVersionGone(this.client, ref);
		if (why) message.content = { missing: `this version of the object was ${why} before it was read` };
		return why !== undefined;
	}

	private async failed(message: DecodedMessage, ref: ObjectVersionRef, error: unknown): Promise<GuardVerdict> {
		if (!(error instanceof CorruptObjectError)) return this.unread(ref, error);
		// Chunks missing may mean the version was replaced while it was read, not that it is corrupt.
		try {
			return (await this.gone(message, ref)) ? PROCESS : { action: 'reject', error, kind: 'poison' };
		} catch (checkError) {
			return this.unread(ref, checkError);
		}
	}

	/** Not the object's fault: a refused right stops the trigger; anything else waits and is tried again. */
	private unread(ref: ObjectVersionRef, error: unknown): GuardVerdict {
		const mapped = toNodeError(error);
		if (mapped instanceof PermissionError) return { action: 'refused', error: mapped };
		this.outage.failed(mapped);
		return { action: 'wait', reason: `reading object "${ref.name}" of bucket "${ref.bucket}" failed: ${mapped.message}`, retryInMs: this.outage.retryInMs(), outage: true };
	}

	/** The bucket answered: an outage, if there was one, is over. */
	private answered(): GuardVerdict {
		this.outage.ok();
		return PROCESS;
	}
}
