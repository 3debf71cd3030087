import { withJetStreamNode } from './advice';
import { apiRefusal } from './errorMapping';
import { JetStreamNodeError } from './errors';

/**
 * A stream's refusal of a publish that used one of the newer message features (Time To Live,
 * expectations, counters, schedules, atomic batches), in words that name the field or the stream
 * setting to change. The server's own words ("per-message TTL is disabled") name neither.
 */

/** What was asked of the server, so the error can say which of several expectations failed. */
export interface PublishAsked {
	subject: string;
	/** The stream that stores the subject, when known (named in "turn on … on stream X"). */
	stream?: string;
	expect?: { lastSequence?: number; lastSubjectSequence?: number; lastMsgId?: string; streamName?: string };
}

/** Server err_codes of these refusals (nats-server 2.11–2.15). */
export const FeatureRefusalCodes = {
	WrongLastMsgId: 10070,
	WrongLastSequence: 10071,
	TtlInvalid: 10165,
	TtlDisabled: 10166,
	CountersDisabled: 10168,
	CounterHasPayload: 10170,
	CounterIncrementInvalid: 10171,
	AtomicDisabled: 10174,
	AtomicIncomplete: 10176,
	SchedulesDisabled: 10188,
	SchedulePatternInvalid: 10189,
	ScheduleTargetInvalid: 10190,
	AtomicBatchTooLarge: 10199,
	AtomicDuplicateMsgId: 10201,
	ScheduleTimeZoneInvalid: 10223,
} as const;

const C = FeatureRefusalCodes;

/** The codes for which knowing the stream makes the message better (worth one look-up). */
export const STREAM_SETTING_CODES: ReadonlySet<number> = new Set([C.TtlDisabled, C.CountersDisabled, C.AtomicDisabled, C.SchedulesDisabled]);

function settingOff(asked: PublishAsked, feature: string, setting: string, label: string, version: string, field: string): JetStreamNodeError {
	const stream = asked.stream ? `Stream "${asked.stream}"` : `The stream that stores "${asked.subject}"`;
	return new JetStreamNodeError('configuration', `${stream} does not allow ${feature}: its setting ${setting} ("${label}") is off`, {
		hint: `Turn on "${label}" with ${withJetStreamNode('Stream → Update')} (nats-server ${version} or later), or clear "${field}"`,
	});
}

/** The current value the server reports after "wrong last sequence: 12". */
const current = (text: string): string => text.split(':').slice(1).join(':').trim() || 'unknown';

function wrongSequence(asked: PublishAsked, text: string): JetStreamNodeError {
	const { lastSequence, lastSubjectSequence } = asked.expect ?? {};
	const failed = [
		lastSequence !== undefined ? `Expected Last Sequence (${lastSequence})` : undefined,
		lastSubjectSequence !== undefined ? `Expected Last Subject Sequence (${lastSubjectSequence})` : undefined,
	].filter(Boolean);
	const what = failed.length ? failed.join(' or ') : 'An expected sequence';
	const now = lastSubjectSequence !== undefined && lastSequence === undefined ? `the last message on "${asked.subject}" has sequence ${current(text)}` : `the current value is ${current(text)}`;
	return new JetStreamNodeError('conflict', `${what} did not hold for "${asked.subject}": ${now}; nothing was stored`, {
		hint: 'Another publisher wrote first. Read the current value again (Message → Get or Stream → Get) and retry with it, or clear the expectation',
	});
}

/** The refusal explained, or undefined when it is not one of these. */
export function explainFeatureRefusal(error: unknown, asked: PublishAsked): JetStreamNodeError | undefined {
	const refusal = apiRefusal(error);
	if (!refusal) return undefined;
	const { code, text } = refusal;
	switch (code) {
		case C.WrongLastSequence:
			return wrongSequence(asked, text);
		case C.WrongLastMsgId:
			return new JetStreamNodeError('conflict', `Expected Last Message ID ("${asked.expect?.lastMsgId ?? '?'}") did not hold for "${asked.subject}": the stream's last message ID is "${current(text)}"; nothing was stored`, {
				hint: 'Another publisher wrote first. Read the current value again and retry with it, or clear "Expected Last Message ID"',
			});
		case C.TtlDisabled:
			return settingOff(asked, 'a per-message Time To Live', 'allow_msg_ttl', 'Allow Per-Message TTL', '2.11', 'Time To Live');
		case C.TtlInvalid:
			return new JetStreamNodeError('invalid-input', `The server refused the Time To Live of the message to "${asked.subject}" (${text})`, { hint: 'Use a whole number of seconds, 1 or more' });
		case C.CountersDisabled:
			return settingOff(asked, 'counters', 'allow_msg_counter', 'Allow Counters', '2.12', 'Subject');
		case C.CounterHasPayload:
		case C.CounterIncrementInvalid:
			return new JetStreamNodeError('invalid-input', `The server refused the counter increment on "${asked.subject}" (${text})`, { hint: 'Use a whole number (negative to decrease), e.g. 1 or -5' });
		case C.SchedulesDisabled:
			return settingOff(asked, 'scheduled messages', 'allow_msg_schedules', 'Allow Message Schedules', '2.12', 'Schedule');
		case C.SchedulePatternInvalid:
		case C.ScheduleTimeZoneInvalid:
			return new JetStreamNodeError('invalid-input', `The server refused the schedule of "${asked.subject}" (${text})`, {
				hint: 'Check "Schedule": a date and time in the future, an interval such as 2h or 30m (1 s or more), a 6-field cron expression (sec min hour day month weekday), and an IANA time zone such as Europe/Berlin',
			});
		case C.ScheduleTargetInvalid:
			return new JetStreamNodeError('invalid-input', `The server refused the schedule's Deliver To subject for "${asked.subject}" (${text})`, {
				hint: 'The Deliver To subject must be stored by the same stream as the schedule subject and must differ from it',
			});
		case C.AtomicDisabled:
			return settingOff(asked, 'atomic batches', 'allow_atomic', 'Allow Atomic Batches', '2.12', 'All Items or None');
		case C.AtomicBatchTooLarge:
			return new JetStreamNodeError('invalid-input', `The server refused the atomic batch (${text}): one batch holds at most 1 000 messages`, {
				hint: 'Split the items into batches of 1 000 or fewer (e.g. with a Loop Over Items node), or turn off "All Items or None"',
			});
		case C.AtomicIncomplete:
			return new JetStreamNodeError('invalid-input', `The stream did not receive every message of the atomic batch (${text}); nothing was stored`, {
				hint: 'All items must go to subjects of the same stream (the one storing the first item\'s subject), and no more than 10 s may pass between two of them: check the items\' subjects, then retry',
			});
		case C.AtomicDuplicateMsgId:
			return new JetStreamNodeError('conflict', `The atomic batch was refused (${text}): an item's Idempotency Key was already stored or repeats within the batch; nothing was stored`, {
				hint: 'In an atomic batch a known key refuses the whole batch instead of skipping that item: give each event its own key, or leave out the items already sent',
			});
		default:
			return undefined;
	}
}
