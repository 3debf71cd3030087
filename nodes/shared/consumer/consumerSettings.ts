import type { ConsumerConfig } from '@nats-io/jetstream';

import { InvalidParameterError } from '../errors';
import { requireServerVersion } from '../serverVersion';
import { toNanos } from '../units';
import { validateConsumerName, validateInteger, validateNumber, validateSubjectFilter } from '../validation';

/**
 * The durable pull consumer settings shared by the JetStream Trigger (create/update from its settings)
 * and the JetStream node's Consumer resource. Durations are in seconds in the UI and nanoseconds on the
 * wire; this is the one place that converts them and checks what the server would refuse.
 */

export type DeliverPolicyName = 'all' | 'new' | 'last' | 'lastPerSubject' | 'byStartSequence' | 'byStartTime';

export interface ConsumerSettings {
	durableName: string;
	description?: string;
	/** Zero, one or several filter subjects (several need server 2.10+). */
	filterSubjects: string[];
	deliverPolicy: DeliverPolicyName;
	startSequence?: number;
	/** ISO 8601 time. */
	startTime?: string;
	ackWaitSeconds: number;
	/** -1 = unlimited. */
	maxDeliver: number;
	/** Redelivery delays in seconds; the server uses them instead of ack wait for redeliveries. */
	backoffSeconds: number[];
	/** -1 = unlimited. */
	maxAckPending: number;
	/**
	 * One active reader (a priority group pinning one client, 2.11+): how long the pinned reader may
	 * stay silent before another takes over. 0 or absent: off, every reader shares the messages.
	 */
	failoverAfterSeconds?: number;
}

/** The one priority group of a consumer with one active reader; pull requests name it. */
export const ONE_READER_GROUP = 'n8n';

export const MAX_BACKOFF_STEPS = 50;

const DELIVER_POLICY: Record<DeliverPolicyName, ConsumerConfig['deliver_policy']> = {
	all: 'all' as ConsumerConfig['deliver_policy'],
	new: 'new' as ConsumerConfig['deliver_policy'],
	last: 'last' as ConsumerConfig['deliver_policy'],
	lastPerSubject: 'last_per_subject' as ConsumerConfig['deliver_policy'],
	byStartSequence: 'by_start_sequence' as ConsumerConfig['deliver_policy'],
	byStartTime: 'by_start_time' as ConsumerConfig['deliver_policy'],
};

/** "5, 30, 120" or [5, 30, 120] → [5, 30, 120], naming the bad entry. */
export function parseBackoff(value: string | number[] | undefined, field = 'Backoff'): number[] {
	if (value === undefined || value === '') return [];
	const entries = Array.isArray(value) ? value : String(value).split(',').map((s) => s.trim()).filter((s) => s !== '');
	if (entries.length > MAX_BACKOFF_STEPS) {
		throw new InvalidParameterError(field, `"${field}" has ${entries.length} delays; at most ${MAX_BACKOFF_STEPS} are allowed`);
	}
	return entries.map((entry) => {
		const seconds = Number(entry);
		if (!Number.isFinite(seconds) || seconds <= 0) {
			throw new InvalidParameterError(field, `"${field}" has "${entry}", which is not a positive number of seconds`, 'Write delays in seconds separated by commas, e.g. 5, 30, 120');
		}
		return seconds;
	});
}

/** Checks a settings object the way the server would, but with messages that say which field. */
export function validateConsumerSettings(settings: ConsumerSettings, serverVersion: string): ConsumerSettings {
	validateConsumerName(settings.durableName, 'Durable Name');
	settings.filterSubjects.forEach((s) => validateSubjectFilter(s, 'Filter Subject'));
	if (settings.filterSubjects.length > 1) {
		requireServerVersion(serverVersion, '2.10.0', 'Several filter subjects on one consumer');
	}
	if (!(settings.ackWaitSeconds > 0)) {
		throw new InvalidParameterError('Ack Wait', `"Ack Wait" must be more than 0 seconds, not ${settings.ackWaitSeconds}`);
	}
	if (settings.maxDeliver !== -1) validateInteger(settings.maxDeliver, 'Max Deliver', 1);
	if (settings.maxAckPending !== -1) validateInteger(settings.maxAckPending, 'Max Ack Pending', 1);
	if (settings.maxDeliver !== -1 && settings.backoffSeconds.length >= settings.maxDeliver) {
		throw new InvalidParameterError(
			'Max Deliver',
			`"Max Deliver" (${settings.maxDeliver}) must be greater than the number of backoff delays (${settings.backoffSeconds.length})`,
			'Raise Max Deliver or remove some backoff delays: each delay is used for one redelivery',
		);
	}
	if (settings.failoverAfterSeconds) {
		validateNumber(settings.failoverAfterSeconds, 'One Active Reader: Failover After', 1, 3600);
		requireServerVersion(serverVersion, '2.11.0', 'One Active Reader (a consumer that pins one reader)');
	}
	if (settings.deliverPolicy === 'byStartSequence') validateInteger(settings.startSequence, 'Start Sequence', 1);
	if (settings.deliverPolicy === 'byStartTime' && Number.isNaN(Date.parse(settings.startTime ?? ''))) {
		throw new InvalidParameterError('Start Time', `"Start Time" must be a date and time, not "${settings.startTime ?? ''}"`, 'Use ISO 8601, e.g. 2026-01-31T09:00:00Z');
	}
	return settings;
}

/** Settings → JetStream consumer config for a durable, explicitly acked pull consumer. */
export function toConsumerConfig(settings: ConsumerSettings): Partial<ConsumerConfig> {
	const config: Partial<ConsumerConfig> = {
		durable_name: settings.durableName,
		ack_policy: 'explicit' as ConsumerConfig['ack_policy'],
		deliver_policy: DELIVER_POLICY[settings.deliverPolicy],
		ack_wait: toNanos(settings.ackWaitSeconds),
		max_deliver: settings.maxDeliver,
		max_ack_pending: settings.maxAckPending,
	};
	if (settings.description) config.description = settings.description;
	if (settings.filterSubjects.length === 1) config.filter_subject = settings.filterSubjects[0];
	if (settings.filterSubjects.length > 1) config.filter_subjects = settings.filterSubjects;
	if (settings.backoffSeconds.length > 0) config.backoff = settings.backoffSeconds.map(toNanos);
	if (settings.deliverPolicy === 'byStartSequence') config.opt_start_seq = settings.startSequence;
	if (settings.deliverPolicy === 'byStartTime') config.opt_start_time = new Date(settings.startTime ?? '').toISOString();
	if (settings.failoverAfterSeconds) {
		config.priority_groups = [ONE_READER_GROUP];
		config.priority_policy = 'pinned_client' as ConsumerConfig['priority_policy'];
		config.priority_timeout = toNanos(settings.failoverAfterSeconds);
	}
	return config;
}

/**
 * The fields an existing durable may have changed by an update (deliver policy and start position are
 * fixed at creation). Used by "Create or Update" to report what changed and to refuse impossible updates.
 */
export const UPDATABLE_FIELDS = [
	'description',
	'ack_wait',
	'max_deliver',
	'backoff',
	'max_ack_pending',
	'filter_subject',
	'filter_subjects',
] as const;
