import type { IDataObject } from 'n8n-workflow';
import type { StreamInfo } from '@nats-io/jetstream';

import { fromNanos } from '../../../shared/units';

/** The user's metadata, without the entries the server adds itself (`_nats.*`). */
export function ownMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
	return Object.fromEntries(Object.entries(metadata ?? {}).filter(([key]) => !key.startsWith('_nats.')));
}

/** A stream's info as n8n JSON: the config and state a workflow wants to branch on. */
export function streamInfoToJson(info: StreamInfo): IDataObject {
	const { config, state } = info;
	return {
		name: config.name,
		subjects: config.subjects ?? [],
		storage: config.storage,
		retention: config.retention,
		replicas: config.num_replicas,
		maxMessages: config.max_msgs,
		maxBytes: config.max_bytes,
		// Days, like the Max Age option (0 = no limit).
		maxAgeDays: (config.max_age ?? 0) / 86_400e9,
		maxMessageSize: config.max_msg_size,
		duplicateWindowSeconds: Math.round(fromNanos(config.duplicate_window)),
		discard: config.discard,
		// What the stream lets Publish and Counter do (servers before 2.11/2.12 have none of these: false).
		allows: {
			perMessageTtl: config.allow_msg_ttl === true,
			messageSchedules: config.allow_msg_schedules === true,
			counters: config.allow_msg_counter === true,
			atomicBatches: config.allow_atomic === true,
		},
		...(config.metadata ? { metadata: ownMetadata(config.metadata) } : {}),
		state: {
			messages: state.messages,
			bytes: state.bytes,
			firstSequence: state.first_seq,
			lastSequence: state.last_seq,
			firstTime: state.first_ts,
			lastTime: state.last_ts,
			consumerCount: state.consumer_count,
			subjects: state.num_subjects ?? 0,
			deleted: state.num_deleted ?? 0,
		},
		created: info.created,
	};
}
