import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
} from 'n8n-workflow';

import { type ErrorContext } from '../../shared/errors';
import { forFeature, toNodeError } from '../../shared/errorMapping';

/** An item's number as n8n's panels show it (from 1), for messages: `item ${itemNumber(i)}`. */
export const itemNumber = (itemIndex: number): number => itemIndex + 1;

/** What a refused right was needed for, per execution: "the Message → Publish operation". */
const operationOf = new WeakMap<IExecuteFunctions, string>();

export function runsOperation(fn: IExecuteFunctions, label: string): void {
	operationOf.set(fn, label);
}

/**
 * Turns an error from one item into what n8n expects: an error item when "Continue On Fail" is on,
 * otherwise a NodeOperationError that names the item and says what to change.
 */
export function itemError(
	fn: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	context: ErrorContext = {},
): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const operation = operationOf.get(fn);
	const mapped = toNodeError(operation ? forFeature(error, operation) : error, context);
	return new NodeOperationError(fn.getNode(), mapped.message, {
		itemIndex,
		description: mapped.hint,
	});
}

export function errorItem(error: NodeOperationError, itemIndex: number): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.hint = error.description;
	return { json, pairedItem: { item: itemIndex } };
}

/**
 * Runs `handle` for every item, one after another, with n8n's per-item error rules.
 * (Publishing uses its own windowed loop; this is for operations where items are independent calls.)
 */
export async function forEachItem(
	fn: IExecuteFunctions,
	items: INodeExecutionData[],
	handle: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
	context: (itemIndex: number) => ErrorContext = () => ({}),
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const result = await handle(i);
			for (const json of Array.isArray(result) ? result : [result]) {
				out.push({ json, pairedItem: { item: i } });
			}
		} catch (error) {
			const failure = itemError(fn, error, i, safeContext(context, i));
			if (!fn.continueOnFail()) throw failure;
			out.push(errorItem(failure, i));
		}
	}
	return out;
}

function safeContext(context: (itemIndex: number) => ErrorContext, i: number): ErrorContext {
	try {
		return context(i);
	} catch {
		// The context only decorates the message; a parameter that cannot be read adds nothing.
		return {};
	}
}
