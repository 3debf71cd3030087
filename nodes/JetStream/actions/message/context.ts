import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { v7 as uuidv7 } from 'uuid';

import { headerValue, type HeaderRecord } from '../../../shared/transport';
import type { PublishOptions } from './publishOptions';

/**
 * Context that travels with an event: a correlation ID and the W3C trace context. Both are taken from
 * the input item when it has them (an item from the JetStream Trigger carries its message's headers),
 * so a chain of workflows keeps one correlation ID and one trace.
 */

export const CORRELATION_HEADER = 'X-Correlation-Id';
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

function itemHeaders(item: INodeExecutionData): HeaderRecord {
	const headers = item.json.headers;
	return headers && typeof headers === 'object' && !Array.isArray(headers) ? (headers as HeaderRecord) : {};
}

function text(value: unknown): string | undefined {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/** Sets X-Correlation-Id (unless the user set it as a header) and returns it. */
export function applyCorrelation(headers: HeaderRecord, item: INodeExecutionData, options: PublishOptions): string | undefined {
	const explicit = headerValue(headers, CORRELATION_HEADER);
	if (explicit) return explicit;
	const id =
		options.correlationId ||
		text((item.json as IDataObject).correlationId) ||
		text(headerValue(itemHeaders(item), CORRELATION_HEADER)) ||
		(options.generateCorrelationId ? uuidv7() : undefined);
	if (id) headers[CORRELATION_HEADER] = id;
	return id;
}

/** Copies a valid traceparent (and its tracestate) from the item, unless the user set one. */
export function applyTraceContext(headers: HeaderRecord, item: INodeExecutionData, options: PublishOptions): void {
	if (!options.propagateTrace || headerValue(headers, 'traceparent')) return;
	const source = itemHeaders(item);
	const traceparent = text(headerValue(source, 'traceparent')) ?? text(item.json.traceparent);
	if (!traceparent || !TRACEPARENT.test(traceparent)) return;
	headers.traceparent = traceparent;
	const tracestate = text(headerValue(source, 'tracestate')) ?? text(item.json.tracestate);
	if (tracestate) headers.tracestate = tracestate;
}

export const newEventId = (): string => uuidv7();
