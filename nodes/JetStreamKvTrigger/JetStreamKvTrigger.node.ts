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
import { readKvTriggerSettings } from './settings';

/**
 * A key-value bucket's changes, read as the JetStream Trigger reads a stream (the bucket is the stream
 * KV_<bucket>): the same consume path, acknowledging, retries and dead letters. A node of its own
 * rather than a mode of the JetStream Trigger: its fields (bucket, keys, where to start) replace the
 * stream and consumer fields instead of adding to them, and users look for it by its name.
 */
export class JetStreamKvTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JetStream KV Trigger',
		name: 'jetStreamKvTrigger',
		icon: { light: 'file:../../icons/nats.svg', dark: 'file:../../icons/nats.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["kvBucket"].value ?? $parameter["kvBucket"]) + " / " + $parameter["keys"] }}',
		description: 'Start a workflow when a key of a NATS key-value bucket is put, deleted, purged or expires (at least once)',
		documentationUrl: 'https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#jetstream-kv-trigger',
		eventTriggerDescription:
			'Waiting for a change in the bucket: put a key, e.g. with a JetStream node (Key-Value → Set Key). A test run acknowledges nothing.',
		activationMessage: 'Each change of a watched key now starts an execution, and is acknowledged as set under Acknowledge.',
		defaults: { name: 'JetStream KV Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'jetStreamNatsApi', required: true, testedBy: 'jetStreamNatsApiTest' }],
		properties,
	};

	methods = { credentialTest: { jetStreamNatsApiTest }, listSearch };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startTrigger(this, readKvTriggerSettings);
	}
}
