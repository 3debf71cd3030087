import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { jetStreamNatsApiTest } from '../shared/n8n/credentialTest';
import { listSearch } from '../shared/n8n/listSearch';
import { properties } from './actions/description';
import { router } from './actions/router';

export class JetStream implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'JetStream',
		name: 'jetStream',
		icon: { light: 'file:../../icons/nats.svg', dark: 'file:../../icons/nats.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Publish events to NATS JetStream and manage streams, consumers, key-value buckets and dead letters',
		// The editor's "Docs" link; used as it is (a codex link gets "?utm_…" appended after the #anchor).
		documentationUrl: 'https://github.com/n8n-nodes-jetstream/n8n-nodes-jetstream#jetstream-action-node',
		defaults: { name: 'JetStream' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'jetStreamNatsApi', required: true, testedBy: 'jetStreamNatsApiTest' }],
		properties,
	};

	methods = { credentialTest: { jetStreamNatsApiTest }, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
