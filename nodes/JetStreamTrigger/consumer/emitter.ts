import type { INodeExecutionData, IRun, ITriggerFunctions } from 'n8n-workflow';

/** How an execution ended, as far as acknowledging its messages is concerned. */
export type Outcome = 'success' | 'failure' | 'timeout';

const FAILED_STATUSES = new Set(['error', 'crashed', 'canceled']);

function outcomeOf(run: IRun | undefined): Outcome {
	if (!run) return 'failure';
	if (run.data?.resultData?.error) return 'failure';
	return FAILED_STATUSES.has(String(run.status)) ? 'failure' : 'success';
}

/**
 * Starts one execution with `items` and waits (at most `timeoutMs`) for n8n to report how it ended.
 * n8n resolves the done promise with the finished run; a run carrying an error is a failure, and so is
 * a rejected promise (the execution could not even start). When `abandoned` fires, waiting ends at once.
 */
export async function runExecution(
	ctx: Pick<ITriggerFunctions, 'emit' | 'helpers'>,
	items: INodeExecutionData[],
	timeoutMs: number,
	abandoned?: AbortSignal,
): Promise<Outcome> {
	const done = ctx.helpers.createDeferredPromise<IRun>();
	let timer: NodeJS.Timeout | undefined;
	let stopWaiting = () => undefined as void;
	const timeout = new Promise<Outcome>((resolve) => {
		timer = setTimeout(() => resolve('timeout'), timeoutMs);
		// The trigger is closing and has handed the messages back: stop waiting (and holding timers).
		const onAbandon = () => resolve('timeout');
		abandoned?.addEventListener('abort', onAbandon, { once: true });
		stopWaiting = () => abandoned?.removeEventListener('abort', onAbandon);
	});
	try {
		ctx.emit([items], undefined, done);
		return await Promise.race([
			done.promise.then(outcomeOf, () => 'failure' as const),
			timeout,
		]);
	} finally {
		clearTimeout(timer);
		stopWaiting();
	}
}
