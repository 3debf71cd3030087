import { NodeConnectionTypes, type INodeType, type INodeTypeDescription, type ITriggerFunctions, type ITriggerResponse } from 'n8n-workflow';

import { jetStreamNatsApiTest } from '../shared/n8n/credentialTest';
import { properties } from './description';
import { startRequestTrigger } from './startRequestTrigger';

export class NatsRequestTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'NATS Request Trigger',
		name: 'natsRequestTrigger',
		icon: { light: 'file:../../icons/nats.svg', dark: 'file:../../icons/nats.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{"answers " + $parameter["subject"]}}',
		description: 'Answers requests on a NATS subject with the result of the workflow (request/reply)',
		documentationUrl: 'https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#nats-request-trigger',
		eventTriggerDescription:
			'Waiting for a request on the Subject: send one, e.g. with a JetStream node (Message → Request) or `nats request <subject> "{}"`',
		activationMessage: 'Each request on the Subject now starts an execution, and gets the reply set under Reply With.',
		defaults: { name: 'NATS Request Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'jetStreamNatsApi', required: true, testedBy: 'jetStreamNatsApiTest' }],
		properties,
	};

	methods = { credentialTest: { jetStreamNatsApiTest } };

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startRequestTrigger(this);
	}
}
