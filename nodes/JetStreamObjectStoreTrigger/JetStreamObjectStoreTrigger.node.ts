import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { jetStreamNatsApiTest } from '../shared/n8n/credentialTest';
import { listSearch } from '../shared/n8n/listSearch';
import { startTrigger } from '../JetStreamTrigger/consumer/startTrigger';
import { properties } from './description';
import { readObjectTriggerSettings } from './settings';

/**
 * An object store bucket's new, updated and deleted objects, read as the JetStream Trigger reads a
 * stream (the bucket is the stream OBJ_<bucket>; each put, delete or link writes one description
 * there): the same consume path, acknowledging, retries and dead letters; the bytes of each new
 * version come along as binary data.
 */
export class JetStreamObjectStoreTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JetStream Object Store Trigger',
		name: 'jetStreamObjectStoreTrigger',
		icon: { light: 'file:../../icons/nats.svg', dark: 'file:../../icons/nats.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["objectBucket"] }}',
		description: 'Start a workflow when a file (object) of a NATS object store bucket is put, updated or deleted, with its bytes as binary data (at least once)',
		documentationUrl: 'https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#jetstream-object-store-trigger',
		eventTriggerDescription:
			'Waiting for an object in the bucket: put one, e.g. with a JetStream node (Object Store → Upload Object). A test run acknowledges nothing.',
		activationMessage: 'Each new, updated or deleted object now starts an execution, and is acknowledged as set under Acknowledge.',
		defaults: { name: 'JetStream Object Store Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'jetStreamNatsApi', required: true, testedBy: 'jetStreamNatsApiTest' }],
		properties,
	};

	methods = { credentialTest: { jetStreamNatsApiTest }, listSearch };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startTrigger(this, readObjectTriggerSettings);
	}
}
