import { deadLetterResource } from './deadLetter/DeadLetter.resource';
import { streamResource } from './stream/Stream.resource';
import type { Resource } from './types';

/** Every resource of the JetStream node, in the order the UI lists them. */
export const resources: Resource[] = [streamResource, deadLetterResource];
