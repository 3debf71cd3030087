import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { InvalidParameterError } from '../../../shared/errors';
import { requireServerVersion } from '../../../shared/serverVersion';
import type { MessageSchedule } from '../../../shared/transport';
import { validatePublishSubject } from '../../../shared/validation';
import { itemNumber } from '../perItem';

/**
 * Publish → Schedule: the message is kept on its own subject (the schedule's subject, one schedule
 * per subject: a new one replaces it) and the server publishes its body to "Deliver To" when due.
 * One-off ("at a time", "after a delay") came with nats-server 2.12; repeating ones ("every",
 * cron, time zone) with 2.14. The stream needs allow_msg_schedules and must store both subjects.
 */

export type ScheduleKind = 'none' | 'at' | 'after' | 'every' | 'cron';

const show = (...kinds: ScheduleKind[]) => ({ show: { schedule: kinds } });

export const scheduleFields: INodeProperties[] = [
	{
		displayName: 'Schedule',
		name: 'schedule',
		type: 'options',
		default: 'none',
		hint: 'Needs a stream with "Allow Message Schedules" (allow_msg_schedules) on; once at a time or after a delay: nats-server 2.12+; repeating: 2.14+',
		description: 'Publish now, or keep the message on Subject as a schedule that the server delivers to "Deliver To" later. Publishing another schedule on the same Subject replaces it; Message → Cancel Schedule removes it.',
		options: [
			{ name: 'Now (No Schedule)', value: 'none', description: 'Publish to Subject at once' },
			{ name: 'At a Time', value: 'at', description: 'Deliver once at a date and time (nats-server 2.12+)' },
			{ name: 'After a Delay', value: 'after', description: 'Deliver once, so many seconds from now (nats-server 2.12+)' },
			{ name: 'Every Interval', value: 'every', description: 'Deliver again and again at a fixed interval (nats-server 2.14+)' },
			{ name: 'Cron Expression', value: 'cron', description: 'Deliver on a cron schedule, in a time zone (nats-server 2.14+)' },
		],
	},
	{
		displayName: 'Deliver To',
		name: 'scheduleTarget',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. reminders.due',
		description: 'The subject the server publishes the message to when it is due. Same stream as Subject, but another subject.',
		displayOptions: show('at', 'after', 'every', 'cron'),
	},
	{
		displayName: 'Deliver At',
		name: 'scheduleAt',
		type: 'dateTime',
		default: '',
		description: 'When to deliver (a time in the past delivers at once)',
		displayOptions: show('at'),
	},
	{
		displayName: 'Delay (Seconds)',
		name: 'scheduleDelaySeconds',
		type: 'number',
		default: 3600,
		typeOptions: { minValue: 1 },
		description: 'How long after this publish to deliver, e.g. 7200 for 2 hours',
		displayOptions: show('after'),
	},
	{
		displayName: 'Interval (Seconds)',
		name: 'scheduleEverySeconds',
		type: 'number',
		default: 3600,
		typeOptions: { minValue: 1 },
		description: 'Deliver every so many seconds, 1 or more',
		displayOptions: show('every'),
	},
	{
		displayName: 'Cron Expression',
		name: 'scheduleCron',
		type: 'string',
		default: '',
		placeholder: 'e.g. 0 0 9 * * 1-5',
		description: 'Six fields: second minute hour day-of-month month day-of-week (0 0 9 * * 1-5 = 9:00 on weekdays)',
		displayOptions: show('cron'),
	},
	{
		displayName: 'Time Zone',
		name: 'scheduleTimeZone',
		type: 'string',
		default: '',
		placeholder: 'e.g. Europe/Berlin',
		description: 'IANA time zone of the cron expression. Empty: UTC.',
		displayOptions: show('cron'),
	},
];

const SINCE: Record<Exclude<ScheduleKind, 'none'>, string> = { at: '2.12.0', after: '2.12.0', every: '2.14.0', cron: '2.14.0' };
const LABEL: Record<Exclude<ScheduleKind, 'none'>, string> = { at: 'Schedule "At a Time"', after: 'Schedule "After a Delay"', every: 'Schedule "Every Interval"', cron: 'Schedule "Cron Expression"' };

function positiveSeconds(fn: IExecuteFunctions, i: number, name: string, label: string): number {
	const value = Number(fn.getNodeParameter(name, i, 0));
	if (!Number.isInteger(value) || value < 1) {
		throw new InvalidParameterError(name, `"${label}" of item ${itemNumber(i)} must be a whole number of seconds, 1 or more, not ${String(value)}`, 'E.g. 7200 for 2 hours');
	}
	return value;
}

function specification(fn: IExecuteFunctions, i: number, kind: Exclude<ScheduleKind, 'none'>): string {
	if (kind === 'after') return `@at ${new Date(Date.now() + positiveSeconds(fn, i, 'scheduleDelaySeconds', 'Delay (Seconds)') * 1000).toISOString()}`;
	if (kind === 'every') return `@every ${positiveSeconds(fn, i, 'scheduleEverySeconds', 'Interval (Seconds)')}s`;
	if (kind === 'cron') {
		const cron = String(fn.getNodeParameter('scheduleCron', i, '')).trim();
		if (cron.split(/\s+/).length !== 6) {
			throw new InvalidParameterError('scheduleCron', `"Cron Expression" of item ${itemNumber(i)} must have six fields, not "${cron}"`, 'second minute hour day-of-month month day-of-week, e.g. 0 0 9 * * 1-5');
		}
		return cron;
	}
	const at = new Date(String(fn.getNodeParameter('scheduleAt', i, '')));
	if (Number.isNaN(at.getTime())) {
		throw new InvalidParameterError('scheduleAt', `"Deliver At" of item ${itemNumber(i)} is not a date and time`, 'Pick a date and time, or use an expression such as {{ $now.plus(2, "hours") }}');
	}
	return `@at ${at.toISOString()}`;
}

/** The item's schedule, or undefined for "Now"; refused on a server too old for its kind, before anything is sent. */
export function readSchedule(fn: IExecuteFunctions, i: number, subject: string, serverVersion: string): MessageSchedule | undefined {
	const kind = String(fn.getNodeParameter('schedule', i, 'none')) as ScheduleKind;
	if (kind === 'none') return undefined;
	requireServerVersion(serverVersion, SINCE[kind], LABEL[kind]);
	const target = validatePublishSubject(String(fn.getNodeParameter('scheduleTarget', i, '')), 'Deliver To');
	if (target === subject) {
		throw new InvalidParameterError('scheduleTarget', `"Deliver To" of item ${itemNumber(i)} is the schedule's own Subject "${subject}"`, 'Deliver to another subject of the same stream, e.g. reminders.due for the schedule reminders.schedule.42');
	}
	const timeZone = kind === 'cron' ? String(fn.getNodeParameter('scheduleTimeZone', i, '')).trim() || undefined : undefined;
	return { specification: specification(fn, i, kind), target, timeZone };
}
