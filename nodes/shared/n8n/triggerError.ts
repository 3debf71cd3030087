import { NodeOperationError, type INode, type WorkflowExecuteMode } from 'n8n-workflow';

import { sentences, toNodeError } from '../errorMapping';

/**
 * Any error of a trigger's activation or run as the NodeOperationError n8n shows.
 *
 * A test run shows the message with the hint below it. An activation (publishing the workflow, or n8n
 * starting it) shows only the message, wrapped as `There was a problem activating the workflow:
 * "<message>"` — in the toast, the workflow list and the log; so is an error a running trigger hands
 * to `emitError`. There the message carries the hint itself, and its own quotes are typographic, so
 * n8n's quotes around it never double up (`""Durable Name" is empty"`).
 */
export function triggerError(ctx: { getNode(): INode; getMode?(): WorkflowExecuteMode }, error: unknown): NodeOperationError {
	const { message, hint } = explained(error);
	if (ctx.getMode?.() === 'manual') return error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), message, { description: hint });
	const fix = hint && !message.includes(hint) ? hint : undefined;
	return new NodeOperationError(ctx.getNode(), activationMessage(message, fix), { description: hint });
}

function explained(error: unknown): { message: string; hint?: string } {
	if (error instanceof NodeOperationError) return { message: error.message, hint: error.description ?? undefined };
	const mapped = toNodeError(error);
	return { message: mapped.message, hint: mapped.hint };
}

/** "Stream “ORDERS” does not exist. Turn on “Create Stream If Missing” …": what failed, then what to do. */
export function activationMessage(message: string, hint?: string): string {
	return sentences(message, hint).replace(/"([^"\n]*)"/g, '“$1”');
}
