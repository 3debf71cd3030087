import {
	NodeConnectionTypes,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

import { jetStreamNatsApiTest } from '../shared/n8n/credentialTest';
import { startTrigger } from './consumer/startTrigger';
import { properties } from './description';

export class JetStreamTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JetStream Trigger',
		name: 'jetStreamTrigger',
		icon: { light: 'file:../../icons/nats.svg', dark: 'file:../../icons/nats.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["stream"] + " / " + $parameter["durableName"]}}',
		description: 'Starts a workflow for each message (or batch) in a NATS JetStream stream, at least once',
		defaults: { name: 'JetStream Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'jetStreamNatsApi', required: true, testedBy: 'jetStreamNatsApiTest' }],
		properties,
	};

	methods = { credentialTest: { jetStreamNatsApiTest } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startTrigger(this);
	}
}
