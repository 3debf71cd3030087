import type { Sender } from '../audit/sender';

/** What n8n tells a node about where it runs; every part optional, as test contexts and old n8n lack some. */
interface RunContext {
	getInstanceId?(): string;
	getWorkflow(): { id?: string; name?: string };
	getExecutionId?(): string;
	getNode(): { name: string };
}

/** An id n8n did not know: a test run in the editor may have none, or say "unknown". */
function known(value: unknown): string | null {
	if (typeof value !== 'string' && typeof value !== 'number') return null;
	const text = String(value).trim();
	return text === '' || text === 'unknown' || text === 'undefined' ? null : text;
}

/** The sender of this execution's messages; a part n8n cannot give is null (its header is left off). */
export function currentSender(fn: RunContext): Sender {
	const workflow = fn.getWorkflow();
	const attempt = (get: (() => string) | undefined) => {
		try {
			return known(get?.call(fn));
		} catch {
			// An editor test run may have no execution id yet; the header is then left off.
			return null;
		}
	};
	return {
		instanceId: attempt(fn.getInstanceId),
		workflowId: known(workflow.id),
		workflowName: typeof workflow.name === 'string' && workflow.name !== '' ? workflow.name : null,
		executionId: attempt(fn.getExecutionId),
		node: fn.getNode().name,
	};
}
