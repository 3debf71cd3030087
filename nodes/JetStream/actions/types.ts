import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { NatsClient } from '../../shared/transport';

/** One operation of one resource: its own UI fields and its own execute. */
export interface Operation {
	/** Shown in the operation dropdown. */
	name: string;
	value: string;
	action: string;
	description: string;
	/** Fields of this operation; `displayOptions` for resource/operation are added by the resource. */
	properties: INodeProperties[];
	execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

export interface Resource {
	name: string;
	value: string;
	description: string;
	defaultOperation: string;
	operations: Operation[];
}
