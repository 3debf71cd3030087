import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { validateInteger } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { openRegistry, readSchemaName, registryBucketField, schemaNameField } from './fields';

export const getSchema: Operation = {
	name: 'Get',
	value: 'get',
	action: 'Get a schema',
	description: 'Read the latest or a given version of a schema, with the name\'s compatibility mode',
	properties: [
		schemaNameField,
		{ displayName: 'Version', name: 'schemaVersion', type: 'number', default: 0, typeOptions: { minValue: 0 }, description: 'Version to read; 0 = the latest' },
		registryBucketField,
	],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i): Promise<IDataObject> => {
			const name = readSchemaName(this, i);
			const version = validateInteger(this.getNodeParameter('schemaVersion', i, 0), 'Version', 0);
			const registry = await openRegistry(this, client, i);
			const stored = await registry.get(name, version || undefined);
			const meta = (await registry.meta(name))?.meta;
			return { name, version: stored.version, latest: meta?.latest ?? stored.version, compatibility: meta?.compatibility ?? 'backward', schema: stored.schema as IDataObject, registeredAt: stored.registeredAt };
		});
	},
};
