import { headers as newHeaders, type MsgHdrs } from '@nats-io/transport-node';

/**
 * Message headers as the rest of the package sees them: a plain record, looked up without regard
 * to case (headers travel case-preserved but compare case-insensitively).
 */

/** Header name → value; a header sent several times becomes an array. */
export type HeaderRecord = Record<string, string | string[]>;

/** The first value of a header, whatever the case of its name; undefined when absent. */
export function headerValue(headers: HeaderRecord, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

export function headerRecord(headers: MsgHdrs | undefined): HeaderRecord {
	const out: HeaderRecord = {};
	if (!headers) return out;
	for (const key of headers.keys()) {
		const values = headers.values(key);
		out[key] = values.length === 1 ? values[0] : values;
	}
	return out;
}

export function toMsgHdrs(record: HeaderRecord | undefined): MsgHdrs | undefined {
	const keys = Object.keys(record ?? {});
	if (!record || keys.length === 0) return undefined;
	const h = newHeaders();
	for (const key of keys) {
		const value = record[key];
		for (const v of Array.isArray(value) ? value : [value]) h.append(key, v);
	}
	return h;
}
