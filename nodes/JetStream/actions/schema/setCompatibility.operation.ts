import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import type { CompatibilityMode } from '../../../shared/schema';
import type { NatsClient } from '../../../shared/transport';
import { forEachItem } from '../perItem';
import type { Operation } from '../types';
import { openRegistry, readSchemaName, registryBucketField, schemaNameField } from './fields';

const MODES: CompatibilityMode[] = ['none', 'backward', 'forward', 'full'];

export const setSchemaCompatibility: Operation = {
	name: 'Set Compatibility',
	value: 'setCompatibility',
	action: 'Set a schema\'s compatibility mode',
	description: 'Choose which changes a new version of this schema may make',
	properties: [
		schemaNameField,
		{
			displayName: 'Compatibility',
			name: 'compatibility',
			type: 'options',
			default: 'backward',
			options: [
				{ name: 'Backward (Default)', value: 'backward', description: 'Consumers on the new version can read events written with the previous one' },
				{ name: 'Forward', value: 'forward', description: 'Consumers on the previous version can read events written with the new one' },
				{ name: 'Full', value: 'full', description: 'Both directions' },
				{ name: 'None', value: 'none', description: 'Any change is accepted' },
			],
		},
		registryBucketField,
	],
	async execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]) {
		return forEachItem(this, items, async (i): Promise<IDataObject> => {
			const mode = this.getNodeParameter('compatibility', i, 'backward') as CompatibilityMode;
			if (!MODES.includes(mode)) throw new InvalidParameterError('compatibility', `"Compatibility" cannot be "${String(mode)}"`, `Choose one of: ${MODES.join(', ')}`);
			const name = readSchemaName(this, i);
			return { name, ...(await (await openRegistry(this, client, i, true)).setCompatibility(name, mode)) };
		});
	},
};
