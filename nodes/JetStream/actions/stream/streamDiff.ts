import type { StreamConfig } from '@nats-io/jetstream';

import { InvalidParameterError } from '../../../shared/errors';
// The server adds its own `_nats.*` entries to a stream's metadata: only the user's are compared.
import { ownMetadata } from './streamJson';

export interface StreamChange {
	setting: string;
	from: unknown;
	to: unknown;
}

/** Set when the stream is created; a different wish cannot be met by an update. */
const FIXED: Array<[keyof StreamConfig, string]> = [
	['storage', 'Storage'],
	['retention', 'Retention'],
];

/** An unset switch and one set to false mean the same (servers omit false ones, e.g. allow_msg_ttl). */
const normal = (v: unknown) => (v === false || v === undefined ? null : v);
const same = (a: unknown, b: unknown) => JSON.stringify(normal(a)) === JSON.stringify(normal(b));

/** The settings in `wanted` that differ from the stream's; refuses changes the server would refuse. */
export function streamChanges(existing: StreamConfig, wanted: Partial<StreamConfig>): StreamChange[] {
	for (const [key, label] of FIXED) {
		if (wanted[key] !== undefined && wanted[key] !== existing[key]) {
			throw new InvalidParameterError(
				label,
				`Stream "${existing.name}" has ${label} "${String(existing[key])}"; it cannot be changed to "${String(wanted[key])}"`,
				'Create a new stream with the other setting and move the consumers to it, or keep the current value',
			);
		}
	}
	const changes: StreamChange[] = [];
	for (const key of Object.keys(wanted) as Array<keyof StreamConfig>) {
		if (key === 'name') continue;
		const from = key === 'subjects' ? [...(existing.subjects ?? [])].sort() : key === 'metadata' ? ownMetadata(existing.metadata) : existing[key];
		const to = key === 'subjects' ? [...(wanted.subjects ?? [])].sort() : wanted[key];
		if (!same(from, to)) changes.push({ setting: key, from: existing[key] ?? null, to: wanted[key] ?? null });
	}
	return changes;
}
