import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/** How a received body (a reply, a stored message) becomes part of an output item. */

export type BodyFormat = 'auto' | 'text' | 'base64' | 'binary';

export const bodyFormatField = (name: string): INodeProperties => ({
	displayName: 'Body Format',
	name,
	type: 'options',
	default: 'auto',
	description: 'How to return the message body',
	options: [
		{ name: 'Automatic', value: 'auto', description: 'JSON when it parses, otherwise text (Base64 when not text)' },
		{ name: 'Text', value: 'text', description: 'Always as a string' },
		{ name: 'Base64', value: 'base64', description: 'The bytes, Base64-encoded' },
		{ name: 'Binary File', value: 'binary', description: 'As n8n binary data in the property "data"' },
	],
});

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeAuto(data: Uint8Array): { body: unknown; encoding: string } {
	let text: string;
	try {
		text = strictUtf8.decode(data);
	} catch {
		// Not UTF-8: the bytes can only be shown encoded.
		return { body: Buffer.from(data).toString('base64'), encoding: 'base64' };
	}
	try {
		return { body: JSON.parse(text), encoding: 'json' };
	} catch {
		// Valid text that is not JSON.
		return { body: text, encoding: 'text' };
	}
}

export interface BodyOutput {
	json: IDataObject;
	binary?: Record<string, IBinaryData>;
}

export async function bodyOutput(fn: IExecuteFunctions, data: Uint8Array, format: BodyFormat, mimeType = 'application/octet-stream'): Promise<BodyOutput> {
	switch (format) {
		case 'text':
			return { json: { body: new TextDecoder().decode(data), bodyEncoding: 'text' } };
		case 'base64':
			return { json: { body: Buffer.from(data).toString('base64'), bodyEncoding: 'base64' } };
		case 'binary':
			return {
				json: { bodyEncoding: 'binary', size: data.length },
				binary: { data: await fn.helpers.prepareBinaryData(Buffer.from(data), undefined, mimeType) },
			};
		default: {
			const { body, encoding } = decodeAuto(data);
			return { json: { body: body as IDataObject, bodyEncoding: encoding } };
		}
	}
}

/** Puts the binary data collected per input item onto the output items that came from them. */
export function attachBinaries(out: INodeExecutionData[], binaries: Array<INodeExecutionData['binary']>): INodeExecutionData[] {
	return out.map((item) => {
		const i = typeof item.pairedItem === 'object' && !Array.isArray(item.pairedItem) ? item.pairedItem.item : -1;
		return binaries[i] ? { ...item, binary: binaries[i] } : item;
	});
}
