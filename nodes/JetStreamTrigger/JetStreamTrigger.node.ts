import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { jetStreamNatsApiTest } from '../shared/n8n/credentialTest';
import { listSearch } from '../shared/n8n/listSearch';
import { startTrigger } from './consumer/startTrigger';
import { properties } from './description';

export class JetStreamTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JetStream Trigger',
		name: 'jetStreamTrigger',
		icon: { light: 'file:../../icons/nats.svg', dark: 'file:../../icons/nats.dark.svg' },
		group: ['trigger'],
		version: 1,
		// Pickers hold { mode, value }; workflows from before them hold the plain name.
		subtitle: '={{ ($parameter["stream"].value ?? $parameter["stream"]) + " / " + ($parameter["durableName"].value ?? $parameter["durableName"]) }}',
		// n8n's node panel merges this trigger into the JetStream node (same type name without "Trigger")
		// and shows this text for both, in "What happens next?" too: so it names both.
		description:
			'NATS JetStream: start a workflow for each message of a stream (at least once), publish events, manage streams, consumers, key-value buckets, object stores, counters and dead letters',
		documentationUrl: 'https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#jetstream-trigger',
		// Shown while a test run listens (n8n's own text says only that it waits); a fixed text, so it
		// names what to do rather than the stream of this node.
		eventTriggerDescription:
			'Waiting for a message in the stream: publish one to a subject the stream captures, e.g. with a JetStream node (Message → Publish). A test run acknowledges nothing.',
		activationMessage: 'Each message the stream receives now starts an execution, and is acknowledged as set under Acknowledge.',
		defaults: { name: 'JetStream Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'jetStreamNatsApi', required: true, testedBy: 'jetStreamNatsApiTest' }],
		properties,
	};

	methods = { credentialTest: { jetStreamNatsApiTest }, listSearch };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startTrigger(this);
	}
}
