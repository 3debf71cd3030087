import { toRecord } from '../../../nodes/shared/deadLetter/inspect';
import type { HeaderRecord } from '../../../nodes/shared/transport/headers';

export * from '../../../nodes/shared/deadLetter';
export { instructsServer } from '../../../nodes/shared/deadLetter/envelope';

/** A dead-letter record built from headers, as the DLQ would return it. */
export function toRecordForTest(headers: HeaderRecord, time: string) {
	return toRecord({ stream: 'DLQ', sequence: 1, subject: 'dlq.S.c', data: new Uint8Array(), headers, time });
}
