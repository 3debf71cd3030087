import { objectMetaSubjects, objectStoreStreamName, validateObjectBucketName } from '../shared/objectStore/objectMeta';
import { locatorName } from '../shared/n8n/locators';
import { readBucketTrigger } from '../JetStreamTrigger/bucketSettings';
import type { Reader, TriggerSettings } from '../JetStreamTrigger/settings';

/** The bucket OBJ_<bucket>, read through its object descriptions ($O.<bucket>.M.>), never its chunks. */
export function readObjectTriggerSettings(ctx: Reader, warn: (message: string) => void): TriggerSettings {
	const bucket = validateObjectBucketName(locatorName(ctx.getNodeParameter('objectBucket', '', { extractValue: true })), 'Bucket');
	const settings = readBucketTrigger(ctx, warn, {
		source: { kind: 'objectStore', bucket, download: ctx.getNodeParameter('download', true) !== false },
		stream: objectStoreStreamName(bucket),
		filterSubjects: [objectMetaSubjects(bucket)],
		description: 'n8n JetStream Object Store Trigger',
	});
	// A description is not a payload of the user's: no schema to check it against.
	return { ...settings, content: 'json', schema: undefined };
}
