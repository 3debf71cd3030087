import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { readSchemaSource, resolveSchema, schemaFields } from '../../../shared/schema';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';

export const validateAgainstSchema: Operation = {
	name: 'Validate',
	value: 'validate',
	action: 'Validate items against a schema',
	description: 'Check each input item against a schema; invalid items come out with "valid: false" and every violation',
	properties: schemaFields('each input item'),
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i): Promise<IDataObject> => {
			const schema = await resolveSchema(client, readSchemaSource((name, fallback) => this.getNodeParameter(name, i, fallback)));
			if (!schema) throw new InvalidParameterError('schemaSource', 'Choose a schema to validate against', 'Pick Inline JSON Schema or From Registry');
			const violations = schema.validate(items[i].json);
			return { valid: violations.length === 0, violations: violations as unknown as IDataObject[], schema: schema.headerValue ?? 'inline', item: items[i].json };
		});
	},
};
