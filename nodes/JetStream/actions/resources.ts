import { consumerResource } from './consumer/Consumer.resource';
import { counterResource } from './counter/Counter.resource';
import { deadLetterResource } from './deadLetter/DeadLetter.resource';
import { keyValueResource } from './keyValue/KeyValue.resource';
import { messageResource } from './message/Message.resource';
import { monitorResource } from './monitor/Monitor.resource';
import { objectStoreResource } from './objectStore/ObjectStore.resource';
import { schemaResource } from './schema/Schema.resource';
import { streamResource } from './stream/Stream.resource';
import type { Resource } from './types';

/** Every resource of the JetStream node; the first is the default (the UI sorts them by name). */
export const resources: Resource[] = [messageResource, streamResource, consumerResource, keyValueResource, objectStoreResource, deadLetterResource, schemaResource, monitorResource, counterResource];
