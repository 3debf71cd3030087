import { JetStreamNodeError } from '../errors';
import type { NatsClient } from './client';
import { readLastOnSubject } from './messaging';
import { publishStored } from './publish';

/**
 * Counters (nats-server 2.12+, stream setting allow_msg_counter): a subject whose messages carry
 * running totals. A publish with an empty body and the header `Nats-Incr: <n>` adds n, and the
 * acknowledgement says the new total; the last message on the subject holds `{"val":"<total>"}`.
 * NATS.js has no helper for them, so these are plain publishes and reads.
 */

export interface CounterValue {
	stream: string;
	subject: string;
	/** The stream sequence of the message holding this total; null when the counter was never written. */
	sequence: number | null;
	/** The total as the server's decimal text: it may exceed what a JavaScript number holds exactly. */
	value: string;
}

export const COUNTER_HEADER = 'Nats-Incr';

/** Adds `by` (an integer, as text) to the counter on `subject`; each call counts once (no retry on timeout). */
export async function incrementCounter(client: NatsClient, subject: string, by: string, timeoutMs: number): Promise<CounterValue> {
	const receipt = await publishStored(client, { subject, data: new Uint8Array(), headers: { [COUNTER_HEADER]: by }, timeoutMs });
	if (receipt.value === undefined) {
		throw new JetStreamNodeError('configuration', `Stream "${receipt.stream}" stored the increment on "${subject}" as a plain message and said no total`, {
			hint: 'The server ignored the counter header: counters need nats-server 2.12 or later and a stream with "Allow Counters" (allow_msg_counter) on',
		});
	}
	return { stream: receipt.stream, subject, sequence: receipt.sequence, value: receipt.value };
}

/** The counter's current total; "0" with sequence null when nothing was ever added on the subject. */
export async function readCounter(client: NatsClient, stream: string, subject: string): Promise<CounterValue> {
	const last = await readLastOnSubject(client, stream, subject);
	if (!last) return { stream, subject, sequence: null, value: '0' };
	let val: unknown;
	try {
		val = (JSON.parse(new TextDecoder().decode(last.data)) as { val?: unknown }).val;
	} catch {
		val = undefined;
	}
	if (typeof val !== 'string' || !/^-?\d+$/.test(val)) {
		throw new JetStreamNodeError('invalid-input', `The last message on "${subject}" in stream "${stream}" is not a counter total (sequence ${last.sequence})`, {
			hint: 'Counters live on subjects only Counter → Increment writes to; choose the counter\'s own subject, or a stream with "Allow Counters" on',
		});
	}
	return { stream, subject, sequence: last.sequence, value: val };
}
