import type { IDataObject } from 'n8n-workflow';
import type { StreamInfo } from '@nats-io/jetstream';

import { fromNanos } from '../../../shared/units';

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
