import { splitSubjects } from '../shared/consumer/consumerFields';
import { kvStreamName, kvSubject } from '../shared/keyValue/changes';
import { validateKvBucketName, validateKvKeyFilter } from '../shared/keyValue/keyRules';
import { locatorName } from '../shared/n8n/locators';
import { readBucketTrigger } from '../JetStreamTrigger/bucketSettings';
import type { Reader, TriggerSettings } from '../JetStreamTrigger/settings';

/** The bucket KV_<bucket> and its key filters as the consumer's filter subjects ($KV.<bucket>.<filter>). */
export function readKvTriggerSettings(ctx: Reader, warn: (message: string) => void): TriggerSettings {
	const bucket = validateKvBucketName(locatorName(ctx.getNodeParameter('kvBucket', '', { extractValue: true })), 'Bucket');
	const filters = splitSubjects(ctx.getNodeParameter('keys', '>')).map((filter) => validateKvKeyFilter(filter, 'Keys'));
	return readBucketTrigger(ctx, warn, {
		source: { kind: 'keyValue', bucket },
		stream: kvStreamName(bucket),
		filterSubjects: (filters.length > 0 ? filters : ['>']).map((filter) => kvSubject(bucket, filter)),
		description: 'n8n JetStream KV Trigger',
	});
}
