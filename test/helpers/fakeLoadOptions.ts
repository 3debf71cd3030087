import type { IGetNodeParameterOptions, ILoadOptionsFunctions, INode, INodeParameters } from 'n8n-workflow';

import { extractLocatorValue, recordingLogger, type LogLine } from './fakeExecute';

/**
 * A stand-in for n8n's ILoadOptionsFunctions, the `this` of a listSearch method: the parameters the
 * editor has on screen (`getCurrentNodeParameter`, dotted paths, `extractValue`), the credential of
 * the node (only under its real type name) and a recording logger.
 */

export interface FakeLoadOptionsOptions {
	/** The node's parameters as the editor sends them (locator objects or plain values). */
	params?: Record<string, unknown>;
	credentials: Record<string, unknown>;
	nodeType?: string;
}

export interface FakeLoadOptions {
	context: ILoadOptionsFunctions;
	logs: LogLine[];
	/** Credential types the method asked for. */
	credentialTypes: string[];
}

function getPath(source: Record<string, unknown>, path: string): unknown {
	return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), source);
}

export function fakeLoadOptions(options: FakeLoadOptionsOptions): FakeLoadOptions {
	const logs: LogLine[] = [];
	const credentialTypes: string[] = [];
	const params = options.params ?? {};
	const node: INode = {
		id: 'node-1',
		name: 'JetStream',
		type: options.nodeType ?? 'n8n-nodes-jetstream.jetStream',
		typeVersion: 1,
		position: [0, 0],
		parameters: params as INodeParameters,
	};
	const read = (path: string, fallback?: unknown, opts?: IGetNodeParameterOptions) => {
		const value = getPath(params, path) ?? fallback;
		return opts?.extractValue ? extractLocatorValue(value) : value;
	};
	const context = {
		getNode: () => node,
		getCurrentNodeParameter: (path: string, opts?: IGetNodeParameterOptions) => read(path, undefined, opts),
		getCurrentNodeParameters: () => params,
		getNodeParameter: (name: string, fallback?: unknown, opts?: IGetNodeParameterOptions) => read(name, fallback, opts),
		getCredentials: async (type: string) => {
			credentialTypes.push(type);
			if (type !== 'jetStreamNatsApi') throw new Error(`The node has no credential of type "${type}"`);
			return options.credentials;
		},
		logger: recordingLogger(logs),
		helpers: {},
	} as unknown as ILoadOptionsFunctions;
	return { context, logs, credentialTypes };
}
