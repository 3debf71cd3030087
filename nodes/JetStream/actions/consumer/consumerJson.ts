import type { ConsumerInfo } from '@nats-io/jetstream';
import type { IDataObject } from 'n8n-workflow';

import { fromNanos } from '../../../shared/units';

/** A consumer's info as n8n JSON: lag and pending figures first, then its settings. */
export function consumerInfoToJson(info: ConsumerInfo): IDataObject {
	const { config } = info;
	return {
		stream: info.stream_name,
		name: info.name,
		lag: info.num_pending,
		ackPending: info.num_ack_pending,
		redelivered: info.num_redelivered,
		waiting: info.num_waiting,
		// Consumer → Pause (server 2.11+); older servers never say paused.
		paused: info.paused === true,
		pausedUntil: info.paused === true && config.pause_until ? new Date(config.pause_until).toISOString() : null,
		delivered: { streamSequence: info.delivered.stream_seq, consumerSequence: info.delivered.consumer_seq },
		ackFloor: { streamSequence: info.ack_floor.stream_seq, consumerSequence: info.ack_floor.consumer_seq },
		config: {
			filterSubjects: config.filter_subjects ?? (config.filter_subject ? [config.filter_subject] : []),
			deliverPolicy: config.deliver_policy,
			ackWaitSeconds: fromNanos(config.ack_wait),
			maxDeliver: config.max_deliver ?? -1,
			backoffSeconds: (config.backoff ?? []).map(fromNanos),
			maxAckPending: config.max_ack_pending ?? -1,
			description: config.description ?? '',
			failoverAfterSeconds: config.priority_policy === 'pinned_client' ? fromNanos(config.priority_timeout) : 0,
		},
		created: info.created,
	};
}
