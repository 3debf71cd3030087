import type { INodeProperties } from 'n8n-workflow';

import { resources } from './resources';

/**
 * Operations that delete data, or run messages again, in a way nobody can undo. An AI agent may
 * run them through the "JetStream Tool" only when the workflow author turns on "Allow Destructive
 * Operations" (the router refuses them otherwise). Keyed by resource value, then operation value.
 *
 * Not listed, on purpose: creating, setting and updating. They add or change what they name and
 * are what an agent is there to do (a key's earlier values stay in its history, as the bucket
 * keeps them). Updating a stream or bucket can still drop messages when it lowers a limit (max age,
 * messages, bytes, history); the author decides which of those fields the agent may fill in.
 */
export const destructiveOperations: Readonly<Record<string, readonly string[]>> = {
	message: ['cancelSchedule'],
	stream: ['delete', 'purge'],
	consumer: ['delete'],
	keyValue: ['deleteBucket', 'delete', 'purge'],
	objectStore: ['deleteBucket', 'delete'],
	deadLetter: ['purge', 'redrive'],
	schema: ['deleteVersion'],
};

export const ALLOW_DESTRUCTIVE = 'allowDestructiveOperations';

export function isDestructive(resource: string, operation: string): boolean {
	return destructiveOperations[resource]?.includes(operation) ?? false;
}

/**
 * True when n8n runs this node as the "JetStream Tool" of an AI agent. n8n 2.x makes the tool a
 * node type of its own, the base name plus "Tool" (`n8n-nodes-jetstream.jetStreamTool`), and runs
 * it either as a sub-node (older agents) or as a node the agent asked the engine to run (Agent v3,
 * where `isToolExecution()` answers false). The node's type is the one sign both ways share.
 */
export function runsAsTool(nodeType: string): boolean {
	return nodeType.split('.').pop()?.endsWith('Tool') ?? false;
}

/**
 * The switch, shown only on the tool variant (`'@tool'`, which n8n evaluates from the node type's
 * name) and only for a destructive operation. One copy per resource, so each shows for its own
 * operations; n8n drops the value when the operation changes to one without it.
 */
export const allowDestructiveFields: INodeProperties[] = resources
	.filter((resource) => destructiveOperations[resource.value]?.length)
	.map((resource) => ({
		displayName: 'Allow Destructive Operations',
		name: ALLOW_DESTRUCTIVE,
		type: 'boolean',
		// The agent must not be able to turn it on with $fromAI().
		noDataExpression: true,
		default: false,
		description:
			'Whether the AI agent may run this operation, which deletes data (or, for Dead Letter → Redrive, runs messages again) and cannot be undone. Off, the tool refuses it and tells the agent so.',
		displayOptions: { show: { '@tool': [true], resource: [resource.value], operation: [...destructiveOperations[resource.value]] } },
	}));
