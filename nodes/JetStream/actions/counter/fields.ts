import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireServerVersion } from '../../../shared/serverVersion';
import type { CounterValue, NatsClient } from '../../../shared/transport';
import { validatePublishSubject } from '../../../shared/validation';

/** Fields and output shared by Counter → Increment and Get. */

/** Counters came with nats-server 2.12; an older server would store the increment as a plain message. */
export const COUNTERS_SINCE = '2.12.0';

export const COUNTER_HINT = 'Needs nats-server 2.12+ and a stream with "Allow Counters" (allow_msg_counter) on that stores this subject';

export const counterSubjectField: INodeProperties = {
	displayName: 'Counter Subject',
	name: 'counterSubject',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. counts.orders.customer-42',
	hint: COUNTER_HINT,
	description: 'One counter per subject, e.g. one per customer: {{ "counts.orders." + $json.customerId }}. No wildcards.',
};

export function readCounterSubject(fn: IExecuteFunctions, i: number): string {
	return validatePublishSubject(String(fn.getNodeParameter('counterSubject', i, '')), 'Counter Subject');
}

export function requireCounters(client: NatsClient): void {
	requireServerVersion(client.serverVersion(), COUNTERS_SINCE, 'The Counter resource');
}

/** The total as a number when it fits one exactly; `valueText` always holds it exactly. */
export function counterJson(counter: CounterValue): IDataObject {
	const asNumber = Number(counter.value);
	return {
		stream: counter.stream,
		subject: counter.subject,
		value: Number.isSafeInteger(asNumber) ? asNumber : null,
		valueText: counter.value,
		sequence: counter.sequence,
	};
}
