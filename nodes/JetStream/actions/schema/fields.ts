import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { bucketLocator, locatorName, schemaLocator } from '../../../shared/n8n/locators';
import { DEFAULT_SCHEMA_BUCKET, SchemaRegistry, validateSchemaName } from '../../../shared/schema';
import type { NatsClient } from '../../../shared/transport';

/** Lists the schemas of the registry in "Registry Bucket". */
export const schemaNameField: INodeProperties = schemaLocator();

export const registryBucketField: INodeProperties = bucketLocator({
	name: 'registryBucket',
	displayName: 'Registry Bucket',
	description: 'Key-value bucket that holds the registry (created on first registration)',
	defaultMode: 'name',
	defaultValue: DEFAULT_SCHEMA_BUCKET,
});

export const readSchemaName = (fn: IExecuteFunctions, i: number) => validateSchemaName(locatorName(fn.getNodeParameter('schemaName', i, '', { extractValue: true })));

export async function openRegistry(fn: IExecuteFunctions, client: NatsClient, i: number, create = false): Promise<SchemaRegistry> {
	const bucket = locatorName(fn.getNodeParameter('registryBucket', i, DEFAULT_SCHEMA_BUCKET, { extractValue: true })).trim();
	return await SchemaRegistry.open(client, bucket || DEFAULT_SCHEMA_BUCKET, create);
}
