import { consumerResource } from './consumer/Consumer.resource';
import { deadLetterResource } from './deadLetter/DeadLetter.resource';
import { keyValueResource } from './keyValue/KeyValue.resource';
import { messageResource } from './message/Message.resource';
import { schemaResource } from './schema/Schema.resource';
import { streamResource } from './stream/Stream.resource';
import type { Resource } from './types';

/** Every resource of the JetStream node, in the order the UI lists them. */
export const resources: Resource[] = [messageResource, streamResource, consumerResource, keyValueResource, deadLetterResource, schemaResource];
