import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { describeError, forFeature, toNodeError } from '../../shared/errorMapping';
import { transportLogger } from '../../shared/n8n/logger';
import { connectionPool, parseCredentials } from '../../shared/transport';
import { ALLOW_DESTRUCTIVE, isDestructive, runsAsTool } from './destructive';
import { runsOperation } from './perItem';
import { resources } from './resources';

/**
 * Picks the operation, borrows the pooled connection for this credential once for all items, and
 * gives it back when the operation is done (the pool keeps it warm for the next execution).
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resourceName = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = resources
		.find((r) => r.value === resourceName)
		?.operations.find((op) => op.value === operationName);
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${operationName}" is not supported for "${resourceName}"`);
	}
	const resourceLabel = resources.find((r) => r.value === resourceName)?.name ?? resourceName;
	refuseDestructiveAsTool(this, resourceName, operationName, `${resourceLabel} → ${operation.name}`);
	const label = `the ${resourceLabel} → ${operation.name} operation`;
	runsOperation(this, label);
	const lease = await connect(this);
	try {
		return [await operation.execute.call(this, lease.client, items)];
	} catch (error) {
		throw operationError(this, error, label);
	} finally {
		lease.release();
	}
}

/**
 * An AI agent runs a destructive operation only when the workflow author allowed it on the tool.
 * The agent sees only the error's message (Agent v3 passes nothing else on), so the message itself
 * says what the author has to change.
 */
function refuseDestructiveAsTool(fn: IExecuteFunctions, resource: string, operation: string, name: string): void {
	if (!isDestructive(resource, operation) || !runsAsTool(fn.getNode().type)) return;
	if (fn.getNodeParameter(ALLOW_DESTRUCTIVE, 0, false) === true) return;
	throw new NodeOperationError(
		fn.getNode(),
		`This tool may not run ${name}: destructive operations are off. The workflow author can allow them with "Allow Destructive Operations" on the "${fn.getNode().name}" node`,
		{
			description:
				'Operations that delete data or run messages again (delete, purge, redrive) are off for an AI agent until you allow them. To let the agent run this one, turn on "Allow Destructive Operations" in this tool\'s parameters; otherwise pick an operation that only reads or writes.',
		},
	);
}

/** Errors of one item are NodeOperationErrors already; anything else failed for all items. */
function operationError(fn: IExecuteFunctions, error: unknown, label: string): NodeOperationError {
	if (error instanceof NodeOperationError) return error;
	const mapped = toNodeError(forFeature(error, label));
	return new NodeOperationError(fn.getNode(), mapped.message, { description: mapped.hint ?? describeError(mapped) });
}

async function connect(fn: IExecuteFunctions) {
	try {
		const credentials = parseCredentials(await fn.getCredentials('jetStreamNatsApi'));
		return await connectionPool.acquire(credentials, transportLogger(fn.logger, fn.getNode().name));
	} catch (error) {
		const mapped = toNodeError(error);
		throw new NodeOperationError(fn.getNode(), mapped.message, { description: mapped.hint ?? describeError(mapped) });
	}
}
