import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { JetStreamNodeError } from '../../../shared/errors';
import { toNodeError } from '../../../shared/errorMapping';
import { streamLocator } from '../../../shared/n8n/locators';
import { requireServerVersion } from '../../../shared/serverVersion';
import { headerValue, readLastOnSubject, type NatsClient } from '../../../shared/transport';
import { validatePublishSubject, validateStreamName } from '../../../shared/validation';
import { forEachItem } from '../perItem';
import { streamParameter } from '../stream/fields';
import type { Operation } from '../types';

const properties: INodeProperties[] = [
	streamLocator({ name: 'scheduleStream', description: 'The stream that keeps the schedule' }),
	{
		displayName: 'Schedule Subject',
		name: 'scheduleSubject',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. reminders.schedule.order-42',
		hint: 'Needs nats-server 2.12+. The Subject the schedule was published to (not its Deliver To)',
		description: 'The subject holding the schedule: Message → Publish\'s Subject when it published with a Schedule',
	},
];

/**
 * Removes the schedule kept on a subject (purging that subject), after checking that the last message
 * there is a schedule, so a plain subject's messages are never purged by mistake. Nothing scheduled
 * (already delivered once, or never made): `cancelled: false`.
 */
async function cancel(client: NatsClient, stream: string, subject: string): Promise<IDataObject> {
	const last = await readLastOnSubject(client, stream, subject);
	const specification = last ? headerValue(last.headers, 'Nats-Schedule') : undefined;
	if (!last) return { stream, subject, cancelled: false, specification: null, deliverTo: null };
	if (specification === undefined) {
		throw new JetStreamNodeError('invalid-input', `The last message on "${subject}" in stream "${stream}" is not a schedule (sequence ${last.sequence}); nothing was removed`, {
			hint: 'Give the Subject the schedule was published to (not its Deliver To subject)',
		});
	}
	try {
		await (await client.jsm()).streams.purge(stream, { filter: subject });
	} catch (error) {
		throw toNodeError(error, { stream, subject });
	}
	return { stream, subject, cancelled: true, specification, deliverTo: headerValue(last.headers, 'Nats-Schedule-Target') ?? null };
}

async function execute(this: IExecuteFunctions, client: NatsClient, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	requireServerVersion(client.serverVersion(), '2.12.0', 'Message → Cancel Schedule');
	const streamOf = (i: number) => validateStreamName(streamParameter(this, i, 'scheduleStream'), 'Stream');
	const subjectOf = (i: number) => validatePublishSubject(String(this.getNodeParameter('scheduleSubject', i, '')), 'Schedule Subject');
	return forEachItem(this, items, async (i) => cancel(client, streamOf(i), subjectOf(i)), (i) => ({ stream: streamParameter(this, i, 'scheduleStream'), subject: subjectOf(i) }));
}

export const cancelSchedule: Operation = {
	name: 'Cancel Schedule',
	value: 'cancelSchedule',
	action: 'Cancel a scheduled message',
	description: 'Remove a schedule made by Publish with a Schedule, so it delivers nothing more (nats-server 2.12+)',
	properties,
	execute,
};
