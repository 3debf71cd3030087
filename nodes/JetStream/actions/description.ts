import type { INodeProperties } from 'n8n-workflow';

import { allowDestructiveFields } from './destructive';
import { resources } from './resources';
import type { Resource } from './types';

/** n8n lists options alphabetically (its lint rule asks for it), whatever order the code keeps them in. */
function byName<T extends { name: string }>(list: T[]): T[] {
	return [...list].sort((a, b) => a.name.localeCompare(b.name));
}

function resourceField(): INodeProperties {
	return {
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: byName(resources).map((r) => ({ name: r.name, value: r.value, description: r.description })),
		default: resources[0].value,
	};
}

function operationField(resource: Resource): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource.value] } },
		options: byName(resource.operations).map((op) => ({
			name: op.name,
			value: op.value,
			action: op.action,
			description: op.description,
		})),
		default: resource.defaultOperation,
	};
}

/** Adds "show only for this resource and operation" to every field of an operation. */
function scoped(resource: Resource): INodeProperties[] {
	return resource.operations.flatMap((op) =>
		op.properties.map((field) => ({
			...field,
			displayOptions: {
				...field.displayOptions,
				show: { resource: [resource.value], operation: [op.value], ...field.displayOptions?.show },
			},
		})),
	);
}

/**
 * Resource and operation pickers plus every operation's fields, scoped to their operation; last, the
 * switch that lets an AI agent run a destructive operation (shown on the tool variant only).
 */
export const properties: INodeProperties[] = [
	resourceField(),
	...resources.flatMap((r) => [operationField(r), ...scoped(r)]),
	...allowDestructiveFields,
];
