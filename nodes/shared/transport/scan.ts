import { AckPolicy, DeliverPolicy, type JsMsg } from '@nats-io/jetstream';

import { PermissionError } from '../errors';
import { toNodeError } from '../errorMapping';
import { isoFromNanos, msToNanos } from '../units';
import type { NatsClient } from './client';
import { headerRecord } from './headers';
import { watchRefusals } from './refusals';
import type { StoredMessage } from './streamIo';

/**
 * Reading a stream in order without consuming it (dead-letter inspection, redrive, purge by filter):
 * a throwaway consumer that acknowledges nothing, so the messages stay where they are.
 */

/** A scan reads this many messages per pull. */
const SCAN_BATCH = 256;
/** How long one pull of a scan may wait; the scan knows how many messages to expect, so this only bounds a stall. */
const SCAN_PULL_EXPIRES_MS = 5_000;
/** A scan consumer the server removes by itself if the process dies mid-scan. */
const SCAN_INACTIVE_MS = 30_000;

function fromJsMsg(msg: JsMsg): StoredMessage {
	return {
		stream: msg.info.stream,
		sequence: msg.seq,
		subject: msg.subject,
		data: msg.data,
		headers: headerRecord(msg.headers),
		time: isoFromNanos(msg.info.timestampNanos),
	};
}

export interface ScanOptions {
	/** Only messages on subjects matching this filter (wildcards allowed). */
	filterSubject?: string;
	/** Start at this stream sequence (inclusive). */
	startSequence?: number;
	/** Start at the first message stored at or after this time. */
	startTime?: Date;
}

function scanStart(options: ScanOptions): { deliver_policy: DeliverPolicy; opt_start_seq?: number; opt_start_time?: string } {
	if (options.startSequence !== undefined && options.startSequence > 1) {
		return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.startSequence };
	}
	if (options.startTime) return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.startTime.toISOString() };
	return { deliver_policy: DeliverPolicy.All };
}

/**
 * Reads a stream in order without consuming anything: a throwaway consumer that acknowledges
 * nothing, so the messages stay where they are. Stop early by breaking out of the loop; the
 * consumer is deleted either way. Messages stored after the scan started are not included.
 */
export async function* scanStream(client: NatsClient, stream: string, options: ScanOptions = {}): AsyncGenerator<StoredMessage> {
	const jsm = await client.jsm();
	let info;
	let lastSequence: number;
	try {
		// Messages stored after this point are not part of the scan (a redrive into the DLQ cannot loop).
		lastSequence = (await jsm.streams.info(stream)).state.last_seq;
		info = await jsm.consumers.add(stream, {
			...scanStart(options),
			filter_subject: options.filterSubject,
			ack_policy: AckPolicy.None,
			inactive_threshold: msToNanos(SCAN_INACTIVE_MS),
			mem_storage: true,
		});
	} catch (error) {
		throw toNodeError(error, { stream, subject: options.filterSubject });
	}
	const consumer = client.js.consumers.getConsumerFromInfo(info);
	let remaining = info.num_pending;
	// A refused pull request is a plain publish: without this the scan would only end, seconds later, with "heartbeats missed".
	let refused: PermissionError | undefined;
	let batch: Awaited<ReturnType<typeof consumer.fetch>> | undefined;
	const refusals = watchRefusals(client.nc, (error) => {
		if (!error.subject.includes(`.CONSUMER.MSG.NEXT.${stream}.`)) return;
		refused = error;
		batch?.stop(error);
	});
	try {
		while (remaining > 0) {
			batch = await consumer.fetch({ max_messages: Math.min(SCAN_BATCH, remaining), expires: SCAN_PULL_EXPIRES_MS });
			let received = 0;
			try {
				for await (const msg of batch) {
					received++;
					remaining = msg.info.pending;
					if (msg.seq > lastSequence) return;
					yield fromJsMsg(msg);
				}
			} catch (error) {
				throw refused ?? toNodeError(error, { stream });
			}
			if (refused) throw refused;
			// A pull that brought nothing means the messages vanished meanwhile (purged, aged out).
			if (received === 0) break;
		}
	} finally {
		await refusals.stop();
		await consumer.delete().catch(() => {
			// The consumer is memory-only with an inactivity threshold: the server removes it anyway.
			return false;
		});
	}
}

