import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import type { ExecutionResult } from '../shared/execution/emitter';
import { oneLine } from '../shared/deadLetter/envelope';
import { SERVICE_ERROR_CODE_HEADER, SERVICE_ERROR_HEADER, type HeaderRecord } from '../shared/transport';
import type { ReplyWith } from './settings';

/**
 * What a request trigger answers. Errors follow the NATS services convention (the headers
 * `Nats-Service-Error` and `Nats-Service-Error-Code`), so any NATS client can tell them apart from data.
 */
export interface OutgoingReply {
	data: Uint8Array;
	headers: HeaderRecord;
}

const encoder = new TextEncoder();

/** The items the workflow's last node produced (its last run, first output). */
export function lastNodeItems(run: IRun | undefined): INodeExecutionData[] {
	const resultData = run?.data?.resultData;
	const last = resultData?.lastNodeExecuted;
	if (!resultData || !last) return [];
	const runs = resultData.runData?.[last] ?? [];
	return runs[runs.length - 1]?.data?.main?.[0] ?? [];
}

function json(value: unknown, headers: HeaderRecord): OutgoingReply {
	return { data: encoder.encode(JSON.stringify(value)), headers: { ...headers, 'Content-Type': 'application/json' } };
}

export function acceptedReply(headers: HeaderRecord): OutgoingReply {
	return json({ accepted: true }, headers);
}

/** The answer to a finished execution, as "Reply With" says. */
export function successReply(replyWith: ReplyWith, result: ExecutionResult, headers: HeaderRecord): OutgoingReply {
	if (replyWith === 'empty') return { data: new Uint8Array(), headers };
	const items: IDataObject[] = lastNodeItems(result.run).map((item) => item.json);
	return json(replyWith === 'allItems' ? items : (items[0] ?? null), headers);
}

/** An error reply: one-line header text (secrets already masked by the caller) and the same in a JSON body. */
export function errorReply(code: 400 | 500 | 503 | 504, message: string, headers: HeaderRecord, failedNode?: string): OutgoingReply {
	const line = oneLine(message, 1024);
	return json(
		{ error: line, code, ...(failedNode ? { node: failedNode } : {}) },
		{ ...headers, [SERVICE_ERROR_HEADER]: line, [SERVICE_ERROR_CODE_HEADER]: String(code) },
	);
}
