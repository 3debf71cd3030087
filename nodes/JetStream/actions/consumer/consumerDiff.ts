import type { ConsumerConfig } from '@nats-io/jetstream';

import { InvalidParameterError } from '../../../shared/errors';

/** What Create or Update compares on an existing consumer, and how it reports a difference. */

export interface ConsumerChange {
	setting: string;
	from: unknown;
	to: unknown;
}

const UPDATABLE: Array<[keyof ConsumerConfig, string]> = [
	['filter_subject', 'filterSubject'],
	['filter_subjects', 'filterSubjects'],
	['ack_wait', 'ackWait'],
	['max_deliver', 'maxDeliver'],
	['backoff', 'backoff'],
	['max_ack_pending', 'maxAckPending'],
	['description', 'description'],
	['priority_timeout', 'failoverAfter'],
];

/** Fixed when the consumer is created: a different wish cannot be met by an update. */
const FIXED: Array<[keyof ConsumerConfig, string]> = [
	['deliver_policy', 'Deliver Policy'],
	['opt_start_seq', 'Start Sequence'],
	['opt_start_time', 'Start Time'],
];

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
/** The server reports an empty filter and no description as absent. */
const normal = (key: keyof ConsumerConfig, value: unknown) => (value === '' || (Array.isArray(value) && value.length === 0) ? undefined : key === 'opt_start_time' && value ? new Date(String(value)).toISOString() : value);

export function consumerChanges(existing: Partial<ConsumerConfig>, desired: Partial<ConsumerConfig>, name: string): ConsumerChange[] {
	// With a backoff list the server stores its first step as the ack wait.
	const wanted = desired.backoff?.length ? { ...desired, ack_wait: desired.backoff[0] } : desired;
	for (const [key, label] of FIXED) {
		if (!same(normal(key, existing[key]), normal(key, wanted[key]))) {
			throw new InvalidParameterError(
				label,
				`Consumer "${name}" exists with ${label} "${String(existing[key] ?? '(none)')}"; it cannot be changed to "${String(wanted[key] ?? '(none)')}"`,
				'Delete the consumer and create it again (it then starts reading anew), or keep its current value',
			);
		}
	}
	if (existing.priority_policy === 'pinned_client' && wanted.priority_policy !== 'pinned_client') {
		throw new InvalidParameterError(
			'One Active Reader: Failover After',
			`Consumer "${name}" lets one reader at a time receive messages; the server does not turn that off`,
			'Delete the consumer and create it again without it (it then starts reading anew), or keep a failover time above 0',
		);
	}
	const changes: ConsumerChange[] = [];
	for (const [key, setting] of UPDATABLE) {
		const from = normal(key, existing[key]);
		const to = normal(key, wanted[key]);
		if (!same(from, to)) changes.push({ setting, from: from ?? null, to: to ?? null });
	}
	return changes;
}
