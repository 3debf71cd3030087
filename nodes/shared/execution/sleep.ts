/** Waits `ms`, or less when the signal aborts (closing the trigger must not wait for timers). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal?.aborted || ms <= 0) {
			resolve();
			return;
		}
		const done = () => {
			clearTimeout(timer);
			signal?.removeEventListener('abort', done);
			resolve();
		};
		const timer = setTimeout(done, ms);
		signal?.addEventListener('abort', done, { once: true });
	});
}

/**
 * Waits for `work`, at most `ms`: true when it settled in time. The timer is cleared either way, so
 * a deadline never keeps the process (or a test run) alive after the work is done.
 */
export async function withinDeadline(work: Promise<unknown>, ms: number): Promise<boolean> {
	let timer: NodeJS.Timeout | undefined;
	const expired = new Promise<boolean>((resolve) => {
		timer = setTimeout(() => resolve(false), Math.max(0, ms));
	});
	try {
		return await Promise.race([work.then(() => true, () => true), expired]);
	} finally {
		clearTimeout(timer);
	}
}
