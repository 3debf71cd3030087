import { NodeHelpers, type INodeExecutionData, type INodeTypeDescription } from 'n8n-workflow';

import { JetStream } from '../../../nodes/JetStream/JetStream.node';
import { ALLOW_DESTRUCTIVE, destructiveOperations } from '../../../nodes/JetStream/actions/destructive';
import { resources } from '../../../nodes/JetStream/actions/resources';
import type { Operation } from '../../../nodes/JetStream/actions/types';
import { connectionPool, type ClientLease, type NatsClient } from '../../../nodes/shared/transport';
import { fakeExecute, type ParamValue } from '../../helpers/fakeExecute';

/**
 * The JetStream node is `usableAsTool`: n8n 2.x turns it into the "JetStream Tool" an AI agent calls.
 * Operations that delete data or run messages again run there only when the author allows them.
 * No server here: the connection pool and the operation's execute are stand-ins, so what is tested
 * is the router's decision, not the operation.
 */

const node = new JetStream();
const credentials = { servers: 'nats://127.0.0.1:4222', authType: 'none' };
const destructive: Array<[string, string]> = Object.entries(destructiveOperations).flatMap(([r, ops]) => ops.map((op): [string, string] => [r, op]));

function operationOf(resource: string, operation: string): Operation {
	const found = resources.find((r) => r.value === resource)?.operations.find((op) => op.value === operation);
	if (!found) throw new Error(`No operation ${resource} → ${operation}`);
	return found;
}

let acquire: jest.SpyInstance;

beforeEach(() => {
	const lease: ClientLease = { client: {} as NatsClient, release: jest.fn() };
	acquire = jest.spyOn(connectionPool, 'acquire').mockResolvedValue(lease);
});

afterEach(() => jest.restoreAllMocks());

/** Runs the node with the operation's execute replaced; resolves to whether the operation ran. */
async function run(resource: string, operation: string, options: { asTool: boolean; params?: Record<string, ParamValue> }) {
	const ran: INodeExecutionData[] = [{ json: { ran: true } }];
	const execute = jest.spyOn(operationOf(resource, operation), 'execute').mockResolvedValue(ran);
	const { context } = fakeExecute({ params: { resource, operation, ...options.params }, credentials, asTool: options.asTool });
	const outcome = await node.execute.call(context).then(
		(output) => ({ output, error: undefined }),
		(error: Error) => ({ output: undefined, error }),
	);
	return { ...outcome, ran: execute.mock.calls.length > 0 };
}

describe('the JetStream Tool and destructive operations', () => {
	it('lists only operations the node has (a renamed operation would slip through otherwise)', () => {
		for (const [resource, operation] of destructive) expect(() => operationOf(resource, operation)).not.toThrow();
		expect(destructive).toEqual(
			expect.arrayContaining([
				['message', 'cancelSchedule'],
				['stream', 'delete'],
				['stream', 'purge'],
				['consumer', 'delete'],
				['keyValue', 'deleteBucket'],
				['keyValue', 'delete'],
				['keyValue', 'purge'],
				['deadLetter', 'purge'],
				['deadLetter', 'redrive'],
				['schema', 'deleteVersion'],
			]),
		);
	});

	it.each(destructive)('refuses %s → %s as a tool, before connecting, and says which switch allows it', async (resource, operation) => {
		const { error, ran } = await run(resource, operation, { asTool: true });
		expect(ran).toBe(false);
		expect(acquire).not.toHaveBeenCalled();
		expect(error?.message).toMatch(/^This tool may not run .+ → .+: destructive operations are off/);
		expect(error?.message).toContain('"Allow Destructive Operations" on the "JetStream" node');
		expect((error as Error & { description?: string }).description).toMatch(/turn on "Allow Destructive Operations"/);
	});

	it('runs a destructive operation as a tool when the author turned the switch on', async () => {
		const { error, ran, output } = await run('stream', 'delete', { asTool: true, params: { [ALLOW_DESTRUCTIVE]: true } });
		expect(error).toBeUndefined();
		expect(ran).toBe(true);
		expect(output).toEqual([[{ json: { ran: true } }]]);
	});

	it('keeps refusing when the switch is explicitly off', async () => {
		const { error, ran } = await run('deadLetter', 'redrive', { asTool: true, params: { [ALLOW_DESTRUCTIVE]: false } });
		expect(ran).toBe(false);
		expect(error?.message).toMatch(/may not run Dead Letter → /);
	});

	it.each(destructive)('runs %s → %s outside an agent without any switch (the author chose it on the canvas)', async (resource, operation) => {
		const { error, ran } = await run(resource, operation, { asTool: false });
		expect(error).toBeUndefined();
		expect(ran).toBe(true);
	});

	it.each([
		['message', 'publish'],
		['stream', 'get'],
		['stream', 'update'],
		['keyValue', 'get'],
		['keyValue', 'set'],
		['deadLetter', 'getAll'],
		['schema', 'validate'],
	])('runs the non-destructive %s → %s as a tool', async (resource, operation) => {
		const { error, ran } = await run(resource, operation, { asTool: true });
		expect(error).toBeUndefined();
		expect(ran).toBe(true);
	});
});

describe('the "Allow Destructive Operations" switch in the editor', () => {
	// What n8n does to make the tool variant (n8n/dist/tool-generation/ai-tools.js: convertNodeToAiTool):
	// the type's name gets "Tool" appended, and `'@tool'` in displayOptions reads that suffix.
	const base = node.description;
	const tool: INodeTypeDescription = { ...base, name: `${base.name}Tool`, displayName: `${base.displayName} Tool` };
	const shown = (description: INodeTypeDescription, resource: string, operation: string) =>
		NodeHelpers.getNodeParameters(description.properties, { resource, operation }, true, false, { typeVersion: 1 }, description) ?? {};

	it('is on the tool, off by default, for each destructive operation', () => {
		for (const [resource, operation] of destructive) {
			expect(shown(tool, resource, operation)[ALLOW_DESTRUCTIVE]).toBe(false);
		}
	});

	it('is not on the ordinary node, nor on the tool for an operation that destroys nothing', () => {
		for (const [resource, operation] of destructive) {
			expect(shown(base, resource, operation)).not.toHaveProperty(ALLOW_DESTRUCTIVE);
		}
		expect(shown(tool, 'stream', 'get')).not.toHaveProperty(ALLOW_DESTRUCTIVE);
		expect(shown(tool, 'message', 'publish')).not.toHaveProperty(ALLOW_DESTRUCTIVE);
	});

	it('cannot be filled in by the agent with an expression', () => {
		const fields = base.properties.filter((p) => p.name === ALLOW_DESTRUCTIVE);
		expect(fields.length).toBeGreaterThan(0);
		for (const field of fields) expect(field.noDataExpression).toBe(true);
	});
});
