import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { parseSchemaText } from '../../../shared/schema';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { openRegistry, readSchemaName, registryBucketField, schemaNameField } from './fields';

export const registerSchema: Operation = {
	name: 'Register Version',
	value: 'register',
	action: 'Register a schema version',
	description: 'Store a JSON Schema as the next version of a name, if it keeps the name\'s compatibility mode',
	properties: [
		schemaNameField,
		{
			displayName: 'JSON Schema',
			name: 'schemaDocument',
			type: 'json',
			default: '{\n  "type": "object",\n  "required": ["orderId"],\n  "properties": { "orderId": { "type": "string" } }\n}',
			description: 'Draft 2020-12 (or draft-07 when "$schema" says so)',
		},
		registryBucketField,
	],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i): Promise<IDataObject> => {
			const raw = this.getNodeParameter('schemaDocument', i, '');
			const schema = parseSchemaText(typeof raw === 'string' ? raw : JSON.stringify(raw), 'JSON Schema');
			const registry = await openRegistry(this, client, i, true);
			const stored = await registry.register(readSchemaName(this, i), schema);
			return { name: stored.name, version: stored.version, ref: `${stored.name}@${stored.version}`, registeredAt: stored.registeredAt, notCompared: stored.compatibility.notCompared };
		});
	},
};
