import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { scanDeadLetters } from '../../../shared/deadLetter/inspect';
import { isStreamNotFound, toNodeError } from '../../../shared/errorMapping';
import type { NatsClient } from '../../../shared/transport';
import { consumerNameField, consumerStreamField, errorContext, readConsumerName, readStreamName } from '../consumer/fields';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { healthOptionsField, readHealthOptions, type HealthOptions } from './fields';
import { classify } from './health';

/** A server time: ISO on the wire (typed as nanoseconds by the client library), absent before 2.10. */
function timeOf(value: unknown): number | undefined {
	if (typeof value === 'string') return Date.parse(value) || undefined;
	if (typeof value === 'number' && value > 0) return Math.floor(value / 1_000_000);
	return undefined;
}

const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());

/** The consumer's dead letters since `from`, by reason; undefined when there is no dead-letter stream. */
async function deadLettersOf(client: NatsClient, stream: string, consumer: string, options: HealthOptions, now: number) {
	if (!options.deadLetterStream) return undefined;
	const byReason: Record<string, number> = {};
	try {
		for await (const record of scanDeadLetters(client, options.deadLetterStream, { originalStream: stream, originalConsumer: consumer, from: new Date(now - options.deadLetterWindowMs) })) {
			byReason[record.reason || 'unknown'] = (byReason[record.reason || 'unknown'] ?? 0) + 1;
		}
	} catch (error) {
		if (isStreamNotFound(error)) return undefined;
		throw toNodeError(error, { stream: options.deadLetterStream });
	}
	return byReason;
}

export const consumerHealth: Operation = {
	name: 'Consumer Health',
	value: 'consumerHealth',
	action: 'Check a consumer\'s health',
	description: 'Is the consumer ok, lagging, stalled or failing? Its lag, messages held, redeliveries, last activity and dead letters by reason',
	properties: [consumerStreamField, consumerNameField, healthOptionsField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		const jsm = await client.jsm();
		return forEachItem(
			this,
			items,
			async (i): Promise<IDataObject> => {
				const stream = readStreamName(this, i);
				const consumer = readConsumerName(this, i);
				const options = readHealthOptions(this, i, client.credentials);
				const info = await jsm.consumers.info(stream, consumer);
				// The server's own clock when it says (2.10+): a skewed n8n clock does not make a consumer stall.
				const now = timeOf(info.ts) ?? Date.now();
				const deadLetters = await deadLettersOf(client, stream, consumer, options, now);
				const deadLetterCount = deadLetters ? Object.values(deadLetters).reduce((a, b) => a + b, 0) : undefined;
				const facts = {
					pending: info.num_pending,
					ackPending: info.num_ack_pending,
					redelivered: info.num_redelivered,
					waiting: info.num_waiting,
					lastDeliveredAt: timeOf(info.delivered?.last_active),
					lastAckedAt: timeOf(info.ack_floor?.last_active),
					paused: info.paused === true,
					deadLetters: deadLetterCount,
					now,
				};
				const { status, reasons } = classify(facts, options.thresholds);
				return {
					stream,
					consumer,
					status,
					reasons,
					pending: facts.pending,
					ackPending: facts.ackPending,
					redelivered: facts.redelivered,
					waiting: facts.waiting,
					lastDeliveredAt: iso(facts.lastDeliveredAt),
					lastAckedAt: iso(facts.lastAckedAt),
					deadLetters: deadLetters ? { total: deadLetterCount ?? 0, byReason: deadLetters, withinMinutes: options.deadLetterWindowMs / 60_000, stream: options.deadLetterStream ?? null } : null,
					paused: facts.paused,
					pausedUntil: info.config.pause_until ?? null,
					checkedAt: new Date(now).toISOString(),
					thresholds: { ...options.thresholds, stalledAfterSeconds: options.thresholds.stalledAfterMs / 1000 },
				};
			},
			errorContext(this),
		);
	},
};
