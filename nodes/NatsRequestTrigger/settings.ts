import type { ITriggerFunctions } from 'n8n-workflow';

import { InvalidParameterError } from '../shared/errors';
import type { ContentMode } from '../shared/payload/decode';
import { clamp, oneOf, validateSubjectFilter } from '../shared/validation';

export type ReplyWith = 'firstItem' | 'allItems' | 'empty' | 'immediately' | 'replyNode';

/** Every parameter of the request trigger, read once at activation. */
export interface RequestTriggerSettings {
	subject: string;
	/** Undefined: no queue group, every listener gets every request. */
	queueGroup?: string;
	replyWith: ReplyWith;
	content: ContentMode;
	executionTimeoutMs: number;
	parallel: number;
	/** How long a request may wait for a free slot before it is answered "busy". */
	maxWaitMs: number;
	binaryProperty: string;
	/** "Listen for test event": answer one request, then stop. */
	manual: boolean;
}

type Reader = Pick<ITriggerFunctions, 'getNodeParameter' | 'getMode'>;

function queueGroupOf(value: unknown): string | undefined {
	const group = String(value ?? '').trim();
	if (group === '') return undefined;
	if (/[\s*>]/.test(group)) {
		throw new InvalidParameterError('Queue Group', `"Queue Group" cannot contain spaces or wildcards ("${group}")`, 'Use a plain name such as n8n or pricing-service');
	}
	return group;
}

/**
 * In queue mode n8n hands a worker's result back to the main process without the nodes' output, so
 * the last node's items cannot become the reply there: the workflow answers with a Reply node.
 */
function replyWithOf(ctx: Reader): ReplyWith {
	const replyWith = oneOf(ctx.getNodeParameter('replyWith', 'firstItem'), ['firstItem', 'allItems', 'empty', 'immediately', 'replyNode'], 'Reply With');
	const queueMode = process.env.EXECUTIONS_MODE === 'queue' && ctx.getMode() !== 'manual';
	if (queueMode && (replyWith === 'firstItem' || replyWith === 'allItems')) {
		throw new InvalidParameterError(
			'replyWith',
			'In queue mode the reply cannot be taken from the last node: n8n does not hand a worker\'s output back to the trigger',
			'Set "Reply With" to "Reply Node" and end the workflow with a JetStream node: Message → Reply',
		);
	}
	return replyWith;
}

/** Reads and checks the parameters; `warn` receives a line for each number it had to adjust. */
export function readRequestSettings(ctx: Reader, warn: (message: string) => void): RequestTriggerSettings {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as Record<string, unknown>;
	return {
		subject: validateSubjectFilter(String(ctx.getNodeParameter('subject', '')), 'Subject'),
		queueGroup: queueGroupOf(ctx.getNodeParameter('queueGroup', 'n8n')),
		replyWith: replyWithOf(ctx),
		content: oneOf(options.content ?? 'auto', ['auto', 'json', 'text', 'binary'], 'Content'),
		executionTimeoutMs: clamp(options.executionTimeout ?? 30, 'Execution Timeout', 0.1, 86_400, warn) * 1000,
		parallel: Math.round(clamp(options.parallelExecutions ?? 10, 'Parallel Executions', 1, 1000, warn)),
		maxWaitMs: clamp(options.maxWait ?? 10, 'Max Wait for a Free Slot', 0, 3600, warn) * 1000,
		binaryProperty: String(options.binaryPropertyName ?? 'data').trim() || 'data',
		manual: ctx.getMode() === 'manual',
	};
}
