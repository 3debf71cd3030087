import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';

import type { Ticker } from './ticker';

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
	/** When n8n started the execution (ISO 8601), as it reported it. */
	startedAt?: string;
}

const FAILED_STATUSES = new Set(['error', 'crashed', 'canceled']);

interface RunError {
	message?: unknown;
	node?: { name?: unknown };
}

function isoOf(date: unknown): string | undefined {
	const time = date instanceof Date ? date.getTime() : typeof date === 'string' ? Date.parse(date) : NaN;
	return Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

function resultOf(run: IRun | undefined): ExecutionResult {
	if (!run) return { outcome: 'failure', error: 'The execution ended without a result' };
	const startedAt = isoOf(run.startedAt);
	const resultData = run.data?.resultData;
	const error = resultData?.error as RunError | undefined;
	if (error) {
		const failedNode = error.node?.name ?? resultData?.lastNodeExecuted;
		return {
			outcome: 'failure',
			error: typeof error.message === 'string' ? error.message : 'The execution failed',
			failedNode: typeof failedNode === 'string' ? failedNode : undefined,
			run,
			startedAt,
		};
	}
	if (FAILED_STATUSES.has(String(run.status))) return { outcome: 'failure', error: `The execution ended with status "${run.status}"`, run, startedAt };
	return { outcome: 'success', run, startedAt };
}

export interface WaitOptions {
	/** How long to wait for n8n to report the end of the execution. */
	timeoutMs: number;
	/** The caller's shared timer: a trigger running thousands of executions holds one timer, not one each. */
	ticker: Ticker;
}

/**
 * Starts one execution with `items` and waits (at most `timeoutMs`) for n8n to report how it ended.
 * n8n resolves the done promise with the finished run; a run carrying an error is a failure, and so is
 * a rejected promise (the execution could not even start).
 */
export async function runExecution(
	ctx: Pick<ITriggerFunctions, 'emit' | 'helpers'>,
	items: INodeExecutionData[],
	{ timeoutMs, ticker }: WaitOptions,
): Promise<ExecutionResult> {
	const done = ctx.helpers.createDeferredPromise<IRun>();
	return await new Promise<ExecutionResult>((resolve, reject) => {
		let finished = false;
		const end = () => {
			finished = true;
			cancelTimeout();
		};
		const finish = (result: ExecutionResult) => {
			if (finished) return;
			end();
			resolve(result);
		};
		const timedOut = () => finish({ outcome: 'timeout', error: `The execution did not finish within ${timeoutMs / 1000} s` });
		const cancelTimeout = ticker.after(timeoutMs, timedOut);
		done.promise.then(
			(run) => finish(resultOf(run)),
			(error: unknown) => finish({ outcome: 'failure', error: `The execution could not run: ${(error as Error)?.message ?? String(error)}` }),
		);
		try {
			ctx.emit([items], undefined, done);
		} catch (error) {
			// n8n refused to start it: no result will come, so stop the timer and let the caller hand the messages back.
			end();
			reject(error as Error);
		}
	});
}
