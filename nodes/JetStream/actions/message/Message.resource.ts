import type { Resource } from '../types';
import { acknowledgeMessage } from './acknowledge.operation';
import { cancelSchedule } from './cancelSchedule.operation';
import { getMessage } from './get.operation';
import { publishMessage } from './publish.operation';
import { replyMessage } from './reply.operation';
import { requestMessage } from './request.operation';

export const messageResource: Resource = {
	name: 'Message',
	value: 'message',
	description: 'Publish events, send requests and replies, read stored messages, and acknowledge trigger messages',
	defaultOperation: 'publish',
	operations: [publishMessage, requestMessage, replyMessage, getMessage, acknowledgeMessage, cancelSchedule],
};
