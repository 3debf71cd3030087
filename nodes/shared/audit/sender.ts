import { headerValue, type HeaderRecord } from '../transport/headers';

/**
 * The audit trail: headers naming who published a message (the n8n instance, workflow, execution and
 * node), so a message can be traced back to the execution that sent it, and a chain of workflows
 * followed. They start with `X-N8n-` (not `Nats-`, which the server reserves and a dead-letter copy
 * drops). They are a trail, not a proof: any publisher can set them.
 *
 * Values are one line of printable ASCII: every other character (non-ASCII, CR/LF, control
 * characters) and `%` itself are percent-encoded as UTF-8 (`decodeURIComponent` reads them back), and
 * a value is cut at MAX_SENDER_VALUE_LENGTH encoded characters, ending in an encoded "…".
 */

export const SenderHeaders = {
	InstanceId: 'X-N8n-Instance-Id',
	WorkflowId: 'X-N8n-Workflow-Id',
	WorkflowName: 'X-N8n-Workflow-Name',
	ExecutionId: 'X-N8n-Execution-Id',
	Node: 'X-N8n-Node',
} as const;

/** Who sent a message, as the trigger's item shows it (`sentBy`); null for a field the message lacks. */
export interface Sender {
	instanceId: string | null;
	workflowId: string | null;
	workflowName: string | null;
	executionId: string | null;
	node: string | null;
}

const FIELD_HEADER: Record<keyof Sender, string> = {
	instanceId: SenderHeaders.InstanceId,
	workflowId: SenderHeaders.WorkflowId,
	workflowName: SenderHeaders.WorkflowName,
	executionId: SenderHeaders.ExecutionId,
	node: SenderHeaders.Node,
};

/** Encoded characters per value: a long workflow name must not make the headers outgrow the message. */
export const MAX_SENDER_VALUE_LENGTH = 256;
const ELLIPSIS = '%E2%80%A6';

/** Printable ASCII other than `%` stays as it is (a space too, but not at either end: parsers trim it). */
function encodeChar(char: string, edge: boolean): string {
	const code = char.codePointAt(0) ?? 0;
	if (code > 0x20 && code < 0x7f && char !== '%') return char;
	if (code === 0x20 && !edge) return char;
	return Array.from(Buffer.from(char, 'utf8'), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** Printable ASCII without `%`, no space at either end: sent as it is (nearly every id and name). */
const PLAIN = /^(?:[!-$&-~]|[!-$&-~][ -$&-~]*[!-$&-~])$/;

export function encodeHeaderValue(text: string, maxLength = MAX_SENDER_VALUE_LENGTH): string {
	if (text.length <= maxLength && PLAIN.test(text)) return text;
	const chars = Array.from(text);
	const encoded = chars.map((char, i) => encodeChar(char, i === 0 || i === chars.length - 1));
	if (encoded.join('').length <= maxLength) return encoded.join('');
	// Cut between characters, never inside an escape, leaving room for the ellipsis.
	let out = '';
	for (const part of encoded) {
		if (out.length + part.length > maxLength - ELLIPSIS.length) break;
		out += part;
	}
	return `${out.replace(/ +$/, '')}${ELLIPSIS}`;
}

/** The text of an encoded value; a value that is not valid percent-encoding is returned as it is. */
export function decodeHeaderValue(value: string): string {
	try {
		return decodeURIComponent(value);
	} catch {
		// Set by hand or by another tool with a stray "%": show it unchanged rather than lose it.
		return value;
	}
}

/** Whether the headers already name a sender (the user set one of them): then none is added. */
export function namesSender(headers: HeaderRecord): boolean {
	return Object.values(FIELD_HEADER).some((name) => headerValue(headers, name) !== undefined);
}

/** Encoded once per sender: one execution publishes every item with the same one. */
const encodedSenders = new WeakMap<Partial<Sender>, Array<[string, string]>>();

function encodedSender(sender: Partial<Sender>): Array<[string, string]> {
	let encoded = encodedSenders.get(sender);
	if (!encoded) {
		encoded = [];
		for (const [field, name] of Object.entries(FIELD_HEADER) as Array<[keyof Sender, string]>) {
			const value = sender[field];
			if (value !== null && value !== undefined && value !== '') encoded.push([name, encodeHeaderValue(value)]);
		}
		encodedSenders.set(sender, encoded);
	}
	return encoded;
}

/** Adds the sender's headers, unless the user set any of them (a relay may pass the original sender on). */
export function applySender(headers: HeaderRecord, sender: Partial<Sender>): void {
	if (namesSender(headers)) return;
	for (const [name, value] of encodedSender(sender)) headers[name] = value;
}

const FIELD_BY_HEADER = new Map(Object.entries(FIELD_HEADER).map(([field, name]) => [name.toLowerCase(), field as keyof Sender]));

/**
 * The sender a message names, decoded; undefined when it carries none of the headers. One pass over the
 * headers: the trigger reads this for every message it delivers.
 */
export function readSender(headers: HeaderRecord): Sender | undefined {
	let sender: Sender | undefined;
	for (const [name, value] of Object.entries(headers)) {
		const field = FIELD_BY_HEADER.get(name.toLowerCase());
		if (field === undefined) continue;
		sender ??= { instanceId: null, workflowId: null, workflowName: null, executionId: null, node: null };
		// The first value of a field wins, as headerValue reads it.
		sender[field] ??= decodeHeaderValue(Array.isArray(value) ? value[0] : value);
	}
	return sender;
}
