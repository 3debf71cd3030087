import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readConsumerSettings } from '../../../shared/consumer/consumerFields';
import { validateConsumerSettings, type ConsumerSettings } from '../../../shared/consumer/consumerSettings';
import { consumerLocator, locatorName } from '../../../shared/n8n/locators';
import type { NatsClient } from '../../../shared/transport';
import { validateConsumerName } from '../../../shared/validation';
import { readStreamName, streamNameField, streamParameter } from '../stream/fields';

/** Fields shared by the Consumer operations. */

export const consumerStreamField = streamNameField;

/** Lists the consumers of the chosen stream. */
export const consumerNameField: INodeProperties = consumerLocator();

/** Create names a consumer that does not exist yet: typed by default. */
export const newConsumerNameField: INodeProperties = consumerLocator({ defaultMode: 'name' });

export const consumerDescriptionField: INodeProperties = {
	displayName: 'Description',
	name: 'consumerDescription',
	type: 'string',
	default: '',
	description: 'A note for whoever looks at the consumer later',
};

const consumerParameter = (fn: IExecuteFunctions, i: number) => locatorName(fn.getNodeParameter('consumerName', i, '', { extractValue: true }));

export function readConsumerName(fn: IExecuteFunctions, i: number): string {
	return validateConsumerName(consumerParameter(fn, i), 'Consumer Name');
}

export { readStreamName, streamParameter };

/** The consumer settings of item i, checked the way the server would. */
export function readSettings(fn: IExecuteFunctions, client: NatsClient, i: number): ConsumerSettings {
	const get = (name: string, fallback: unknown) => fn.getNodeParameter(name, i, fallback) as unknown;
	const description = String(fn.getNodeParameter('consumerDescription', i, '') ?? '').trim() || undefined;
	return validateConsumerSettings(readConsumerSettings(get, readConsumerName(fn, i), description), client.serverVersion());
}

export const errorContext = (fn: IExecuteFunctions) => (i: number): IDataObject => ({
	stream: streamParameter(fn, i),
	consumer: consumerParameter(fn, i),
});
