import { createReadStream, createWriteStream, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import {
	NodeOperationError,
	type IBinaryData,
	type IDataObject,
	type IExecuteFunctions,
	type IGetNodeParameterOptions,
	type INode,
	type INodeExecutionData,
	type Logger,
} from 'n8n-workflow';

/**
 * A small stand-in for n8n's IExecuteFunctions: parameters per item (a value or a function of the
 * item index), input items, credentials, "Continue On Fail", binary helpers and a recording logger.
 * Enough to run an operation of the JetStream node exactly as n8n calls it.
 */

export type ParamValue = unknown | ((itemIndex: number) => unknown);

export interface FakeExecuteOptions {
	params: Record<string, ParamValue>;
	items?: INodeExecutionData[];
	credentials?: Record<string, unknown>;
	continueOnFail?: boolean;
	nodeName?: string;
	/**
	 * Run as the "JetStream Tool" of an AI agent. n8n 2.x gives the tool variant a node type of its
	 * own, the base type plus "Tool"; an Agent v3 runs it through the ordinary execute context, whose
	 * `isToolExecution()` answers false, so the type is what tells.
	 */
	asTool?: boolean;
	/**
	 * Where n8n keeps binary data: 'memory' (default: base64 in the item, as N8N_DEFAULT_BINARY_DATA_MODE
	 * "default") or 'filesystem' (a file per binary under an `id`, streamed in and out, as n8n's
	 * "filesystem" mode and S3 do).
	 */
	binaryMode?: 'memory' | 'filesystem';
	/** The workflow and execution the node runs in (the sender headers name them); a test-run default otherwise. */
	workflow?: { id?: string; name?: string };
	/** undefined: "exec-test-1"; null: n8n gives none (getExecutionId throws, as an editor run may). */
	executionId?: string | null;
}

/** The `id` prefix n8n 2.x gives binary data kept on disk. */
const FILESYSTEM_ID = 'filesystem-v2:';

/** A binary field as n8n's filesystem mode puts it on an item: the file stays on disk, under an id. */
export function fileBinary(path: string, mimeType: string, fileName = basename(path)): IBinaryData {
	return { id: `${FILESYSTEM_ID}${path}`, data: 'filesystem-v2', mimeType, fileName, fileSize: String(statSync(path).size) };
}

/** Where a filesystem-mode binary's bytes are. */
export const binaryFilePath = (binary: IBinaryData): string => (binary.id ?? '').slice(FILESYSTEM_ID.length);

const MIME_BY_EXTENSION: Record<string, string> = { '.pdf': 'application/pdf', '.txt': 'text/plain', '.json': 'application/json', '.png': 'image/png', '.bin': 'application/octet-stream' };

export interface LogLine {
	level: string;
	message: string;
	meta?: object;
}

export interface FakeExecute {
	context: IExecuteFunctions;
	logs: LogLine[];
}

function getPath(source: Record<string, unknown>, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => {
		if (value && typeof value === 'object') return (value as Record<string, unknown>)[key];
		return undefined;
	}, source);
}

/**
 * What n8n's `extractValue` does for our pickers (their modes have no regex of their own): a resource
 * locator `{ __rl: true, mode, value }` becomes its value; anything else, a plain name, stays as it is.
 */
export function extractLocatorValue(value: unknown): unknown {
	if (value !== null && typeof value === 'object' && '__rl' in value && 'mode' in value && 'value' in value) return (value as { value: unknown }).value;
	return value;
}

export function recordingLogger(logs: LogLine[]): Logger {
	const at = (level: string) => (message: string, meta?: object) => logs.push({ level, message, meta });
	return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as Logger;
}

export function fakeExecute(options: FakeExecuteOptions): FakeExecute {
	const logs: LogLine[] = [];
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const node: INode = {
		id: 'node-1',
		name: options.nodeName ?? 'JetStream',
		type: options.asTool ? 'n8n-nodes-jetstream.jetStreamTool' : 'n8n-nodes-jetstream.jetStream',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};

	const getNodeParameter = (name: string, itemIndex: number, fallback?: unknown, opts?: IGetNodeParameterOptions): unknown => {
		const root = name.split('.')[0];
		if (!(root in options.params)) {
			if (fallback !== undefined) return fallback;
			throw new Error(`Test did not set parameter "${name}"`);
		}
		const raw = options.params[root];
		const value = typeof raw === 'function' ? (raw as (i: number) => unknown)(itemIndex) : raw;
		const found = name === root ? value : getPath({ [root]: value } as Record<string, unknown>, name);
		if (found === undefined) return fallback;
		return opts?.extractValue ? extractLocatorValue(found) : found;
	};

	let binaryDir: string | undefined;
	const helpers = {
		/** As n8n-core: a stream is written where binaries are kept (a file, or a buffer in memory mode). */
		async prepareBinaryData(data: Buffer | Readable, filePath?: string, mimeType?: string): Promise<IBinaryData> {
			const fileName = filePath ? basename(filePath) : undefined;
			// n8n looks the type up by the name's extension, and says text/plain when it cannot tell.
			const type = mimeType ?? MIME_BY_EXTENSION[extname(fileName ?? '').toLowerCase()] ?? 'text/plain';
			if (options.binaryMode === 'filesystem') {
				binaryDir ??= mkdtempSync(join(tmpdir(), 'fake-n8n-binary-'));
				const path = join(binaryDir, `${Date.now()}-${Math.random().toString(36).slice(2)}`);
				await pipeline(Buffer.isBuffer(data) ? Readable.from([data]) : data, createWriteStream(path));
				return { ...fileBinary(path, type), fileName };
			}
			const buffer = Buffer.isBuffer(data) ? data : Buffer.concat(await data.toArray());
			return { data: buffer.toString('base64'), mimeType: type, fileName, fileSize: String(buffer.length) };
		},
		async getBinaryDataBuffer(itemIndex: number, property: string): Promise<Buffer> {
			const binary = items[itemIndex]?.binary?.[property];
			if (!binary) throw new Error(`No binary property "${property}" on item ${itemIndex}`);
			if (binary.id) return readFileSync(binaryFilePath(binary));
			return Buffer.from(binary.data, 'base64');
		},
		async getBinaryStream(binaryDataId: string, chunkSize?: number): Promise<Readable> {
			if (!binaryDataId.startsWith(FILESYSTEM_ID)) throw new Error(`Unknown binary data id "${binaryDataId}"`);
			return createReadStream(binaryDataId.slice(FILESYSTEM_ID.length), { highWaterMark: chunkSize });
		},
		assertBinaryData(itemIndex: number, property: string): IBinaryData {
			const binary = items[itemIndex]?.binary?.[property];
			if (!binary) {
				throw new NodeOperationError(node, `This item has no binary field '${property}'`, { itemIndex });
			}
			return binary;
		},
		returnJsonArray(data: IDataObject | IDataObject[]): INodeExecutionData[] {
			return (Array.isArray(data) ? data : [data]).map((json) => ({ json }));
		},
	};

	const context = {
		getInputData: () => items,
		getNodeParameter,
		getNode: () => node,
		getCredentials: async () => options.credentials ?? {},
		continueOnFail: () => options.continueOnFail ?? false,
		isToolExecution: () => false,
		getExecutionId: () => {
			if (options.executionId === null) throw new Error('No execution id');
			return options.executionId ?? 'exec-test-1';
		},
		getWorkflow: () => ({ id: 'wf-test-1', name: 'Test workflow', ...options.workflow, active: false }),
		getInstanceId: () => 'instance-test-1',
		logger: recordingLogger(logs),
		// What the editor shows next to the output; recorded with level "hint".
		addExecutionHints: (...hints: Array<{ message: string }>) => hints.forEach((h) => logs.push({ level: 'hint', message: h.message })),
		helpers,
	} as unknown as IExecuteFunctions;

	return { context, logs };
}
