import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';

import { JetStreamApiCodes } from '../errors';
import { hasApiCode, toNodeError } from '../errorMapping';
import type { NatsClient } from './client';

/**
 * Creating a stream that is missing, and nothing else. JetStream's create request never changes an
 * existing stream: the same name with another configuration is refused ("stream name already in
 * use"), the same configuration is answered with the stream as it is. So a stream someone made
 * meanwhile (another trigger, a second n8n main activating the same workflow, an admin) is found,
 * never overwritten, and no lookup beforehand is needed to stay safe.
 */

export interface NewStream {
	name: string;
	subjects: string[];
}

export type StreamCreation =
	| { outcome: 'created' }
	/** It exists after all, made by someone else since the caller saw it missing. */
	| { outcome: 'existed' }
	/** Another stream stores some of these subjects; `others` names it when this credential may look it up. */
	| { outcome: 'overlap'; others: string[] };

/**
 * Creates `stream` on disk with limits retention and no limits (the server's defaults: it keeps every
 * message until someone deletes or purges it) and the credential's replicas.
 */
export async function createMissingStream(client: NatsClient, stream: NewStream): Promise<StreamCreation> {
	const jsm = await client.jsm();
	try {
		await jsm.streams.add({
			name: stream.name,
			subjects: stream.subjects,
			storage: StorageType.File,
			retention: RetentionPolicy.Limits,
			discard: DiscardPolicy.Old,
			num_replicas: client.credentials.replicas,
		});
		return { outcome: 'created' };
	} catch (error) {
		if (hasApiCode(error, JetStreamApiCodes.StreamNameInUse)) return { outcome: 'existed' };
		if (hasApiCode(error, JetStreamApiCodes.StreamSubjectsOverlap)) return { outcome: 'overlap', others: await streamsStoring(client, stream.subjects) };
		throw toNodeError(error, { stream: stream.name });
	}
}

/**
 * The streams whose subjects overlap any of `subjects` (the server matches wildcards both ways, from
 * 2.9 on). Empty when this credential may not ask ($JS.API.STREAM.NAMES): the error then says
 * "another stream" without its name rather than failing on a second refusal.
 */
export async function streamsStoring(client: NatsClient, subjects: string[]): Promise<string[]> {
	const found = new Set<string>();
	try {
		const jsm = await client.jsm();
		for (const subject of subjects) for await (const name of jsm.streams.names(subject)) found.add(name);
	} catch {
		// Naming the other stream is a courtesy; the overlap itself is already known.
	}
	return [...found].sort();
}
