/** Dead-letter routing (for the trigger), inspection, redrive and purge (for the action node). */
export {
	deadLetter,
	sourceFromJsMsg,
	type DeadLetterOptions,
	type DeadLetterResult,
	type DeadLetterSource,
} from './deadLetter';
export {
	DEAD_LETTER_REASONS,
	DLQ_HEADER_PREFIX,
	DlqHeaders,
	originalHeaders,
	readEnvelope,
	type DeadLetterEnvelope,
	type DeadLetterReason,
} from './envelope';
export {
	listDeadLetters,
	matchesFilter,
	peekDeadLetter,
	scanDeadLetters,
	type DeadLetterFilter,
	type DeadLetterRecord,
	type ScanRange,
} from './inspect';
export {
	DEFAULT_DLQ_STREAM,
	DEFAULT_DLQ_SUBJECT_PREFIX,
	deadLetterMsgId,
	deadLetterRoot,
	deadLetterStreamName,
	deadLetterStreamSubject,
	deadLetterSubject,
	redriveMsgId,
} from './naming';
export { identityHeader, isRedriven, messageIdentity, OriginHeaders, originOf, type Origin } from './origin';
export { purgeDeadLetters, type PurgeReport, type PurgeSelection } from './purge';
export { maskSecrets, MAX_ERROR_LENGTH, redactPayload, safeErrorText, type RedactHook } from './redaction';
export { redriveDeadLetters, redriveRecord, type RedriveOptions, type RedriveOutcome, type RedriveReport, type RedriveSelection } from './redrive';
export { reasonForKind, type TriggerDeadLetterKind } from './sink';
export { checkNamedDeadLetterStream, ensureDeadLetterStream, findDeadLetterStream, requireDeadLetterStream, type DeadLetterStreamOptions } from './stream';
