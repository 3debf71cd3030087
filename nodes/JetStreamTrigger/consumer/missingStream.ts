import { withJetStreamNode } from '../../shared/advice';
import { isStreamNotFound, needing, toNodeError } from '../../shared/errorMapping';
import { JetStreamNodeError } from '../../shared/errors';
import type { NatsClient } from '../../shared/transport/client';
import type { TransportLogger } from '../../shared/transport/connect';
import { openTriggerConsumer, type ConsumerTarget, type TriggerConsumer } from '../../shared/transport/consume';
import { createMissingStream } from '../../shared/transport/streamCreate';
import type { NewStreamSettings, TriggerSettings } from '../settings';
import { FEATURE } from './featureNames';

/**
 * The trigger's stream does not exist. With "Create Stream If Missing" on, the trigger creates it and
 * goes on; otherwise the error says what to do from where the user stands. A JetStream node added
 * to create the stream is wired after this trigger by the editor, where it cannot run before the
 * trigger works: so the advice names this trigger's option first, and says to run such a node on its
 * own.
 */

/** As the panel shows it: the errors quote it, so the user can find it. */
export const CREATE_STREAM_OPTION = 'Create Stream If Missing';

/** A bucket trigger's bucket is missing: it is made where buckets are made, by a JetStream node. */
function bucketMissing(source: Exclude<TriggerSettings['source'], { kind: 'stream' }>, cause: unknown): JetStreamNodeError {
	const [kind, resource] = source.kind === 'keyValue' ? ['Key-value bucket', 'Key-Value'] : ['Object store bucket', 'Object Store'];
	return new JetStreamNodeError('not-found', `${kind} "${source.bucket}" does not exist`, {
		cause,
		hint: `Check the bucket name, or create the bucket with ${withJetStreamNode(`${resource} → Create Bucket`)}`,
	});
}

function streamMissing(settings: TriggerSettings, cause: unknown): JetStreamNodeError {
	if (settings.source.kind !== 'stream') return bucketMissing(settings.source, cause);
	const message = `Stream "${settings.stream}" does not exist`;
	if (settings.consumerMode === 'bind') {
		return new JetStreamNodeError('not-found', message, {
			cause,
			hint:
				`Check the stream name: a consumer to bind to lives on a stream that exists. To have this trigger create the stream and its consumer, ` +
				`set Consumer to "Create or Update Consumer From These Settings" and turn on "${CREATE_STREAM_OPTION}"`,
		});
	}
	if (settings.newStream) {
		return new JetStreamNodeError('not-found', `${message}, though this trigger created it a moment ago`, {
			cause,
			hint: 'Something deleted it right away: check who manages the streams on this server',
		});
	}
	return new JetStreamNodeError('not-found', message, {
		cause,
		hint: `Turn on "${CREATE_STREAM_OPTION}" in this trigger, or create it with ${withJetStreamNode('Stream → Create or Update')}. Or check the stream name.`,
	});
}

/** A step on the trigger's consumer: a refused right names the trigger, a missing stream says what to do. */
export async function onTriggerStream<T>(settings: TriggerSettings, step: Promise<T>): Promise<T> {
	try {
		return await needing(FEATURE.trigger, step);
	} catch (error) {
		throw isStreamNotFound(error) ? streamMissing(settings, error) : toNodeError(error);
	}
}

function overlap(stream: string, subjects: string[], others: string[]): JetStreamNodeError {
	const named = others.map((name) => `"${name}"`).join(', ');
	const owner = others.length === 0 ? 'another stream' : `stream ${named}`;
	return new JetStreamNodeError('conflict', `Cannot create stream "${stream}": ${owner} already stores some of its subjects (${subjects.join(', ')})`, {
		hint:
			'A subject is stored by one stream only. ' +
			(others.length > 0 ? `Read from ${named} instead (choose it as Stream and put the subjects in Filter Subjects), or set` : 'Set') +
			' "Stream Subjects" to subjects no other stream stores (Stream → Get Many lists the streams and their subjects)',
	});
}

async function createStream(client: NatsClient, name: string, wanted: NewStreamSettings, logger: TransportLogger): Promise<void> {
	const created = await needing(FEATURE.createStream, createMissingStream(client, { name, subjects: wanted.subjects }));
	switch (created.outcome) {
		case 'created':
			logger.info(`Created stream "${name}" storing ${wanted.subjects.join(', ')} ("${CREATE_STREAM_OPTION}")`);
			return;
		case 'existed':
			// Another trigger (or n8n main) created it between our look and our create: it is used as it is.
			logger.info(`Stream "${name}" was created meanwhile by someone else; using it as it is`);
			return;
		default:
			throw overlap(name, wanted.subjects, created.others);
	}
}

/**
 * Opens the trigger's consumer, creating a missing stream first when the option is on. The stream is
 * looked for through the consumer itself: with the stream there (the usual case) the option costs no
 * request and needs no right beyond the consumer's.
 */
export async function openConsumer(client: NatsClient, settings: TriggerSettings, target: ConsumerTarget, logger: TransportLogger): Promise<TriggerConsumer> {
	const { newStream } = settings;
	if (newStream) {
		try {
			return await needing(FEATURE.trigger, openTriggerConsumer(client, target));
		} catch (error) {
			if (!isStreamNotFound(error)) throw toNodeError(error);
		}
		await createStream(client, settings.stream, newStream, logger);
	}
	return await onTriggerStream(settings, openTriggerConsumer(client, target));
}
