import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import { describeError, forFeature, toNodeError } from '../../shared/errors';
import { transportLogger } from '../../shared/n8n/logger';
import { connectionPool, parseCredentials } from '../../shared/transport';
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
	const label = `the ${resources.find((r) => r.value === resourceName)?.name ?? resourceName} → ${operation.name} operation`;
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
