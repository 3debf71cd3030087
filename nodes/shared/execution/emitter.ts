import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';

/** How an execution ended, as far as acknowledging its messages is concerned. */
export type Outcome = 'success' | 'failure' | 'timeout';

/** The outcome plus what the run said about a failure (for logs and dead-letter headers). */
export interface ExecutionResult {
	outcome: Outcome;
	/** The execution's error message, when it failed with one. */
	error?: string;
	/** Name of the node that failed, when n8n reported it. */
	failedNode?: string;
	/** The finished run as n8n reported it (absent on a timeout): the request trigger replies from it. */
	run?: IRun;
}

const FAILED_STATUSES = new Set(['error', 'crashed', 'canceled']);

interface RunError {
	message?: unknown;
	node?: { name?: unknown };
}

function resultOf(run: IRun | undefined): ExecutionResult {
	if (!run) return { outcome: 'failure', error: 'The execution ended without a result' };
	const resultData = run.data?.resultData;
	const error = resultData?.error as RunError | undefined;
	if (error) {
		const failedNode = error.node?.name ?? resultData?.lastNodeExecuted;
		return {
			outcome: 'failure',
			error: typeof error.message === 'string' ? error.message : 'The execution failed',
			failedNode: typeof failedNode === 'string' ? failedNode : undefined,
			run,
		};
	}
	if (FAILED_STATUSES.has(String(run.status))) return { outcome: 'failure', error: `The execution ended with status "${run.status}"`, run };
	return { outcome: 'success', run };
}

/**
 * Starts one execution with `items` and waits (at most `timeoutMs`) for n8n to report how it ended.
 * n8n resolves the done promise with the finished run; a run carrying an error is a failure, and so is
 * a rejected promise (the execution could not even start). When the unit is abandoned, waiting ends at once.
 */
export async function runExecution(
	ctx: Pick<ITriggerFunctions, 'emit' | 'helpers'>,
	items: INodeExecutionData[],
	timeoutMs: number,
	whenAbandoned?: (listener: () => void) => () => void,
): Promise<ExecutionResult> {
	const done = ctx.helpers.createDeferredPromise<IRun>();
	let timer: NodeJS.Timeout | undefined;
	let stopWaiting = () => undefined as void;
	const timedOut: ExecutionResult = { outcome: 'timeout', error: `The execution did not finish within ${timeoutMs / 1000} s` };
	const timeout = new Promise<ExecutionResult>((resolve) => {
		timer = setTimeout(() => resolve(timedOut), timeoutMs);
		// The trigger is closing and has handed the messages back: stop waiting (and holding timers).
		stopWaiting = whenAbandoned?.(() => resolve(timedOut)) ?? stopWaiting;
	});
	try {
		ctx.emit([items], undefined, done);
		return await Promise.race([
			done.promise.then(resultOf, (error: unknown) => ({
				outcome: 'failure' as const,
				error: `The execution could not run: ${(error as Error)?.message ?? String(error)}`,
			})),
			timeout,
		]);
	} finally {
		clearTimeout(timer);
		stopWaiting();
	}
}
