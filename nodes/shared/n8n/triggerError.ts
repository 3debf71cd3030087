import { NodeOperationError, type INode } from 'n8n-workflow';

import { describeError, toNodeError } from '../errorMapping';

/** Any error of a trigger's activation or run as the NodeOperationError n8n shows, with its hint. */
export function triggerError(ctx: { getNode(): INode }, error: unknown): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const mapped = toNodeError(error);
	return new NodeOperationError(ctx.getNode(), mapped.message, { description: mapped.hint ?? describeError(mapped) });
}
