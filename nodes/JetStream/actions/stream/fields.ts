import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { locatorName, streamLocator } from '../../../shared/n8n/locators';
import { validateStreamName } from '../../../shared/validation';

export const streamNameField: INodeProperties = streamLocator();

/** Create names a stream that does not exist yet: typed by default, the list is there to look. */
export const newStreamNameField: INodeProperties = streamLocator({ defaultMode: 'name' });

/** The stream of item i as given (a picker's value or a plain name), unchecked: for error context. */
export function streamParameter(fn: IExecuteFunctions, itemIndex: number, name = 'stream'): string {
	return locatorName(fn.getNodeParameter(name, itemIndex, '', { extractValue: true }));
}

export function readStreamName(fn: IExecuteFunctions, itemIndex: number): string {
	return validateStreamName(streamParameter(fn, itemIndex), 'Stream');
}
