import type { Readable } from 'node:stream';

import type {
	IBinaryData,
	IDataObject,
	IGetNodeParameterOptions,
	INode,
	INodeExecutionData,
	IRun,
	ITriggerFunctions,
} from 'n8n-workflow';

import { CONSUMER_TUNING_NAMES } from '../../nodes/shared/consumer/consumerFields';
import { extractLocatorValue, recordingLogger, type LogLine } from './fakeExecute';

/**
 * A stand-in for n8n's ITriggerFunctions. `emit()` records the items and plays the execution's
 * outcome from a script: succeed, fail, take a while, or crash (the done promise never resolves),
 * so tests can drive every acknowledgement path against a real nats-server.
 */

export type ScriptedOutcome =
	| 'succeed'
	| 'fail'
	| 'crash'
	| { succeedAfterMs: number }
	| { failAfterMs: number }
	/** Fails at once with this error message, reported by the named node (as n8n's run data does). */
	| { failWith: string; node?: string }
	/** Succeeds with these items as the output of the workflow's last node ("Format Reply"). */
	| { output: IDataObject[] };

export interface Emission {
	index: number;
	items: INodeExecutionData[];
	startedAt: number;
	endedAt?: number;
	outcome?: 'succeeded' | 'failed';
}

export type Script = (emission: Emission) => ScriptedOutcome | Promise<ScriptedOutcome>;

/** n8n's deferred promise (its type lives in @n8n/utils, not exported by n8n-workflow). */
export interface IDeferredPromise<T> {
	promise: Promise<T>;
	resolve: (value: T) => void;
	reject: (error: Error) => void;
}

export interface FakeTriggerOptions {
	params: Record<string, unknown>;
	credentials: Record<string, unknown>;
	mode?: 'trigger' | 'manual';
	script?: Script;
	nodeName?: string;
}

export interface FakeTrigger {
	context: ITriggerFunctions;
	emissions: Emission[];
	logs: LogLine[];
	failedExecutions: Error[];
	emittedErrors: Error[];
	/** Executions started and not yet finished (crashed ones stay here). */
	running(): number;
	/** Highest number of executions running at the same time. */
	maxRunning(): number;
	/** Every item of every emission, flattened, in emission order. */
	items(): INodeExecutionData[];
}

export function deferred<T>(): IDeferredPromise<T> {
	let resolve!: (value: T) => void;
	let reject!: (error: Error) => void;
	const promise = new Promise<T>((res, rej) => {
		resolve = res;
		reject = rej;
	});
	return { promise, resolve, reject };
}

function run(failed: boolean, error: { message: string; node?: { name: string } } = { message: 'scripted failure' }, output?: IDataObject[]): IRun {
	const runData = output ? { 'Format Reply': [{ data: { main: [output.map((json) => ({ json }))] } }] } : {};
	return {
		data: { resultData: { runData, ...(output ? { lastNodeExecuted: 'Format Reply' } : {}), ...(failed ? { error } : {}) } },
		mode: 'trigger',
		startedAt: new Date(),
		stoppedAt: new Date(),
		status: failed ? 'error' : 'success',
		storedAt: 'db',
	} as unknown as IRun;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Tests write the trigger's consumer settings flat (ackWaitSeconds: 1); the panel keeps them in its
 * "Consumer Settings" collection, where n8n hands them over. Moved there, as n8n would store them.
 */
function asStored(params: Record<string, unknown>): Record<string, unknown> {
	const flat = Object.keys(params).filter((name) => CONSUMER_TUNING_NAMES.includes(name));
	if (flat.length === 0) return params;
	const stored: Record<string, unknown> = { ...params, consumerOptions: { ...(params.consumerOptions as object | undefined) } };
	for (const name of flat) {
		(stored.consumerOptions as Record<string, unknown>)[name] = params[name];
		delete stored[name];
	}
	return stored;
}

export function fakeTrigger(options: FakeTriggerOptions): FakeTrigger {
	const params = asStored(options.params);
	const logs: LogLine[] = [];
	const emissions: Emission[] = [];
	const failedExecutions: Error[] = [];
	const emittedErrors: Error[] = [];
	let running = 0;
	let maxRunning = 0;
	const script: Script = options.script ?? (() => 'succeed');
	const node: INode = {
		id: 'trigger-1',
		name: options.nodeName ?? 'JetStream Trigger',
		type: 'n8n-nodes-jetstream.jetStreamTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};

	const play = async (emission: Emission, done: IDeferredPromise<IRun>) => {
		const outcome = await script(emission);
		if (outcome === 'crash') return;
		if (typeof outcome === 'object' && 'failWith' in outcome) {
			running--;
			emission.endedAt = Date.now();
			emission.outcome = 'failed';
			done.resolve(run(true, { message: outcome.failWith, ...(outcome.node ? { node: { name: outcome.node } } : {}) }));
			return;
		}
		if (typeof outcome === 'object' && 'output' in outcome) {
			running--;
			emission.endedAt = Date.now();
			emission.outcome = 'succeeded';
			done.resolve(run(false, undefined, outcome.output));
			return;
		}
		const failed = outcome === 'fail' || (typeof outcome === 'object' && 'failAfterMs' in outcome);
		const waitMs = typeof outcome === 'object' ? ('failAfterMs' in outcome ? outcome.failAfterMs : outcome.succeedAfterMs) : 0;
		if (waitMs > 0) await pause(waitMs);
		running--;
		emission.endedAt = Date.now();
		emission.outcome = failed ? 'failed' : 'succeeded';
		done.resolve(run(failed));
	};

	const emit = (data: INodeExecutionData[][], _response?: unknown, done?: IDeferredPromise<IRun>) => {
		const emission: Emission = { index: emissions.length, items: data[0] ?? [], startedAt: Date.now() };
		emissions.push(emission);
		running++;
		maxRunning = Math.max(maxRunning, running);
		if (!done) {
			// Manual runs: n8n takes the first emission as the test event and waits for nothing.
			running--;
			return;
		}
		play(emission, done).catch((error: unknown) => done.reject(error as Error));
	};

	const helpers = {
		createDeferredPromise: deferred,
		/** As n8n's: a buffer, or a stream read to its end (a stream's error fails the call). */
		async prepareBinaryData(data: Buffer | Readable, fileName?: string, mimeType?: string): Promise<IBinaryData> {
			const bytes = Buffer.isBuffer(data) ? data : Buffer.concat(await data.toArray());
			return { data: bytes.toString('base64'), mimeType: mimeType ?? 'application/octet-stream', fileName, fileSize: String(bytes.length) };
		},
	};

	const context = {
		emit,
		emitError: (error: Error) => emittedErrors.push(error),
		saveFailedExecution: (error: Error) => failedExecutions.push(error),
		getNodeParameter: (name: string, fallback?: unknown, opts?: IGetNodeParameterOptions) => {
			const value = name in params ? params[name] : fallback;
			return opts?.extractValue ? extractLocatorValue(value) : value;
		},
		getCredentials: async () => options.credentials,
		getMode: () => options.mode ?? 'trigger',
		getActivationMode: () => 'activate',
		getNode: () => node,
		getWorkflow: () => ({ id: 'wf-trigger-test', name: 'Trigger test', active: true }),
		logger: recordingLogger(logs),
		helpers,
	} as unknown as ITriggerFunctions;

	return {
		context,
		emissions,
		logs,
		failedExecutions,
		emittedErrors,
		running: () => running,
		maxRunning: () => maxRunning,
		items: () => emissions.flatMap((e) => e.items),
	};
}

/** Polls until `check` returns true, failing with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return;
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
		await pause(25);
	}
}

/**
 * A trigger error's message with straight quotes. Outside a test run the trigger writes them typographic
 * (“ORDERS”), so that n8n's own quotes around an activation error never double (triggerError.ts);
 * tests compare the words.
 */
export const withStraightQuotes = (error: Error): string => error.message.replace(/[“”]/g, '"');
