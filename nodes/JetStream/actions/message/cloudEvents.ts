import type { HeaderRecord } from '../../../shared/transport';
import type { Payload } from './payload';

/**
 * CloudEvents 1.0 over NATS: "structured" wraps the payload in a JSON event document; "binary" keeps
 * the payload as the body and carries the attributes as `ce-*` headers (the NATS protocol binding).
 */

export type EnvelopeMode = 'none' | 'structured' | 'binary';

export interface EventAttributes {
	id: string;
	source: string;
	type: string;
	time: string;
}

const encoder = new TextEncoder();

export function wrapCloudEvent(mode: EnvelopeMode, payload: Payload, headers: HeaderRecord, event: EventAttributes): Uint8Array {
	if (mode === 'none') return payload.data;
	if (mode === 'binary') {
		headers['ce-specversion'] = '1.0';
		headers['ce-id'] = event.id;
		headers['ce-source'] = event.source;
		headers['ce-type'] = event.type;
		headers['ce-time'] = event.time;
		headers['content-type'] = payload.contentType;
		return payload.data;
	}
	const document: Record<string, unknown> = { specversion: '1.0', ...event, datacontenttype: payload.contentType };
	if (payload.kind === 'binary') document.data_base64 = Buffer.from(payload.data).toString('base64');
	else document.data = payload.value;
	headers['content-type'] = 'application/cloudevents+json';
	return encoder.encode(JSON.stringify(document));
}
