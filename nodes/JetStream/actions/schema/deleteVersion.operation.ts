import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NatsClient } from '../../../shared/transport';
import { validateInteger } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { openRegistry, readSchemaName, registryBucketField, schemaNameField } from './fields';

export const deleteSchemaVersion: Operation = {
	name: 'Delete Version',
	value: 'deleteVersion',
	action: 'Delete a schema version',
	description: 'Remove one version of a schema; its number is not given out again',
	properties: [schemaNameField, { displayName: 'Version', name: 'schemaVersion', type: 'number', default: 1, required: true, typeOptions: { minValue: 1 }, description: 'The version to delete' }, registryBucketField],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i): Promise<IDataObject> => {
			const name = readSchemaName(this, i);
			const version = validateInteger(this.getNodeParameter('schemaVersion', i, 1), 'Version', 1);
			await (await openRegistry(this, client, i)).deleteVersion(name, version);
			return { name, version, deleted: true };
		});
	},
};
