import { toNodeError } from '../errors';
import type { NatsClient } from './client';

/**
 * JetStream's own report that it stopped delivering a message: every allowed delivery went out and
 * none was answered (the last one lost in transit while a trigger restarted, or left to run past its
 * ack wait). The server drops such a message from the consumer and says so only in this advisory.
 */
export interface MaxDeliveriesAdvisory {
	stream: string;
	consumer: string;
	streamSequence: number;
	deliveries: number;
}

export interface AdvisoryWatch {
	stop(): void;
}

/**
 * Subscribes to the max-deliveries advisories of one consumer. Resolves once the server accepted the
 * subscription; rejects (permission denied) so the caller can say what it cannot watch.
 */
export async function watchMaxDeliveries(
	client: NatsClient,
	stream: string,
	consumer: string,
	onAdvisory: (advisory: MaxDeliveriesAdvisory) => void,
): Promise<AdvisoryWatch> {
	const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
	let refused: Error | undefined;
	const sub = client.nc.subscribe(subject, {
		callback: (error, msg) => {
			if (error) {
				refused = error;
				return;
			}
			const advisory = parse(msg.data);
			if (advisory) onAdvisory(advisory);
		},
	});
	await client.nc.flush();
	if (refused) throw toNodeError(refused, { subject });
	return { stop: () => sub.unsubscribe() };
}

function parse(data: Uint8Array): MaxDeliveriesAdvisory | undefined {
	let body: { stream?: unknown; consumer?: unknown; stream_seq?: unknown; deliveries?: unknown };
	try {
		body = JSON.parse(new TextDecoder().decode(data)) as typeof body;
	} catch {
		// Not an advisory we understand (another server version's format): nothing to act on.
		return undefined;
	}
	if (typeof body.stream_seq !== 'number' || typeof body.stream !== 'string' || typeof body.consumer !== 'string') return undefined;
	return { stream: body.stream, consumer: body.consumer, streamSequence: body.stream_seq, deliveries: Number(body.deliveries ?? 0) };
}
