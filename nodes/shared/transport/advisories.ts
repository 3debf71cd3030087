import { toNodeError } from '../errorMapping';
import type { NatsClient } from './client';
import { guarded } from './guarded';
import { answerKind, parseAckSubject, type AnswerKind } from './delivery';

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
	onError: (error: Error) => void,
): Promise<AdvisoryWatch> {
	const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
	let refused: Error | undefined;
	const sub = client.nc.subscribe(subject, {
		callback: guarded((error, msg) => {
			if (error) {
				refused = error;
				return;
			}
			const advisory = parse(msg.data);
			if (advisory) onAdvisory(advisory);
		}, onError),
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

/**
 * Sees every answer sent for a consumer's messages, from any connection: `$JS.ACK` subjects are plain
 * subjects, so a subscriber gets a copy of each `+ACK`, `-NAK`, `+TERM`. The trigger uses it to learn
 * what an Acknowledge node elsewhere in the workflow (maybe on a worker) answered. Rejects when the
 * credential may not subscribe there.
 */
export async function watchAnswers(
	client: NatsClient,
	stream: string,
	consumer: string,
	onAnswer: (streamSequence: number, kind: AnswerKind) => void,
	onError: (error: Error) => void,
): Promise<AdvisoryWatch> {
	// Servers write ack subjects without domain and account tokens (every version so far); the long
	// form is watched too where the credential allows it, and is not needed otherwise.
	const subjects = [`$JS.ACK.${stream}.${consumer}.>`, `$JS.ACK.*.*.${stream}.${consumer}.>`];
	let refused: Error | undefined;
	const subs = subjects.map((subject, index) =>
		client.nc.subscribe(subject, {
			callback: guarded((error, msg) => {
				if (error) {
					if (index === 0) refused = error;
					return;
				}
				const info = parseAckSubject(msg.subject);
				if (info && info.stream === stream && info.consumer === consumer) onAnswer(info.streamSequence, answerKind(msg.data));
			}, onError),
		}),
	);
	await client.nc.flush();
	if (refused) {
		subs.forEach((s) => s.unsubscribe());
		throw toNodeError(refused, { subject: subjects[0] });
	}
	return { stop: () => subs.forEach((s) => s.unsubscribe()) };
}
