import { readConsumerSettings } from '../shared/consumer/consumerFields';
import { oneOf, validateConsumerName } from '../shared/validation';
import { readBehaviour, type Reader, type TriggerSettings, type TriggerSource } from './settings';

/**
 * The settings of a trigger on a bucket's stream (KV_<bucket>, OBJ_<bucket>): always a durable the
 * trigger creates, filtered to the bucket's subjects, starting with new changes or with the current
 * state. Everything after reading is the JetStream Trigger's.
 */

export interface BucketTarget {
	source: Exclude<TriggerSource, { kind: 'stream' }>;
	stream: string;
	filterSubjects: string[];
	/** Shown as the consumer's description on the server. */
	description: string;
}

export function readBucketTrigger(ctx: Reader, warn: (message: string) => void, target: BucketTarget): TriggerSettings {
	const durableName = validateConsumerName(String(ctx.getNodeParameter('consumerName', '') ?? '').trim(), 'Consumer Name');
	const startWith = oneOf(ctx.getNodeParameter('startWith', 'new'), ['new', 'current'], 'Start With');
	const tuning = (ctx.getNodeParameter('consumerOptions', {}) ?? {}) as Record<string, unknown>;
	const get = (name: string, fallback: unknown): unknown => {
		if (name === 'filterSubjects') return target.filterSubjects.join(',');
		// The last message of each subject is the current value of each key, the current version of each object.
		if (name === 'deliverPolicy') return startWith === 'current' ? 'lastPerSubject' : 'new';
		return name in tuning ? tuning[name] : fallback;
	};
	return {
		source: target.source,
		stream: target.stream,
		consumerMode: 'createOrUpdate',
		durableName,
		consumer: readConsumerSettings(get, durableName, target.description),
		...readBehaviour(ctx, warn),
		payloadOnly: false,
	};
}
