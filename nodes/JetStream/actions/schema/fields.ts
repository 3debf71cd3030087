import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_SCHEMA_BUCKET, SchemaRegistry, validateSchemaName } from '../../../shared/schema';
import type { NatsClient } from '../../../shared/transport';

export const schemaNameField: INodeProperties = {
	displayName: 'Schema Name',
	name: 'schemaName',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'order.created',
	description: 'Name of the event contract, e.g. order.created',
};

export const registryBucketField: INodeProperties = {
	displayName: 'Registry Bucket',
	name: 'registryBucket',
	type: 'string',
	default: DEFAULT_SCHEMA_BUCKET,
	description: 'Key-value bucket that holds the registry (created on first registration)',
};

export const readSchemaName = (fn: IExecuteFunctions, i: number) => validateSchemaName(String(fn.getNodeParameter('schemaName', i, '')));

export async function openRegistry(fn: IExecuteFunctions, client: NatsClient, i: number, create = false): Promise<SchemaRegistry> {
	return await SchemaRegistry.open(client, String(fn.getNodeParameter('registryBucket', i, DEFAULT_SCHEMA_BUCKET)) || DEFAULT_SCHEMA_BUCKET, create);
}
