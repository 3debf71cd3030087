import type { Resource } from '../types';
import { deleteSchemaVersion } from './deleteVersion.operation';
import { getSchema } from './get.operation';
import { getManySchemas } from './getAll.operation';
import { registerSchema } from './register.operation';
import { setSchemaCompatibility } from './setCompatibility.operation';
import { validateAgainstSchema } from './validate.operation';

export const schemaResource: Resource = {
	name: 'Schema',
	value: 'schema',
	description: 'A versioned registry of JSON Schemas (event contracts) with compatibility checks',
	defaultOperation: 'validate',
	operations: [registerSchema, getSchema, getManySchemas, deleteSchemaVersion, setSchemaCompatibility, validateAgainstSchema],
};
