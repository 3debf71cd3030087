import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readConsumerSettings } from '../../../shared/consumer/consumerFields';
import { validateConsumerSettings, type ConsumerSettings } from '../../../shared/consumer/consumerSettings';
import type { NatsClient } from '../../../shared/transport';
import { validateConsumerName } from '../../../shared/validation';
import { readStreamName, streamNameField } from '../stream/fields';

/** Fields shared by the Consumer operations. */

export const consumerStreamField = streamNameField;

export const consumerNameField: INodeProperties = {
	displayName: 'Consumer Name',
	name: 'consumerName',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'billing',
	description: 'Name of the durable consumer (letters, digits, - and _): it remembers how far it has read',
};

export const consumerDescriptionField: INodeProperties = {
	displayName: 'Description',
	name: 'consumerDescription',
	type: 'string',
	default: '',
	description: 'A note for whoever looks at the consumer later',
};

export function readConsumerName(fn: IExecuteFunctions, i: number): string {
	return validateConsumerName(String(fn.getNodeParameter('consumerName', i, '')), 'Consumer Name');
}

export { readStreamName };

/** The consumer settings of item i, checked the way the server would. */
export function readSettings(fn: IExecuteFunctions, client: NatsClient, i: number): ConsumerSettings {
	const get = (name: string, fallback: unknown) => fn.getNodeParameter(name, i, fallback) as unknown;
	const description = String(fn.getNodeParameter('consumerDescription', i, '') ?? '').trim() || undefined;
	return validateConsumerSettings(readConsumerSettings(get, readConsumerName(fn, i), description), client.serverVersion());
}

export const errorContext = (fn: IExecuteFunctions) => (i: number): IDataObject => ({
	stream: String(fn.getNodeParameter('stream', i, '')),
	consumer: String(fn.getNodeParameter('consumerName', i, '')),
});
