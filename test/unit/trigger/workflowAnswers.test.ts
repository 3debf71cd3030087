import { Admission } from '../../../nodes/JetStreamTrigger/consumer/admission';
import type { DeadLettering } from '../../../nodes/JetStreamTrigger/consumer/deadLettering';
import type { DecodedMessage, MessageGuard } from '../../../nodes/JetStreamTrigger/consumer/hooks';
import { Lifecycle, type HeldMessage } from '../../../nodes/JetStreamTrigger/consumer/lifecycle';
import { Settlement } from '../../../nodes/JetStreamTrigger/consumer/settlement';
import type { Decoded, StepDeps } from '../../../nodes/JetStreamTrigger/consumer/steps';
import { Ticker } from '../../../nodes/shared/execution/ticker';
import type { Delivery } from '../../../nodes/shared/transport/delivery';

/**
 * "Later in the workflow": an Acknowledge node's answer can arrive at any moment of a message's
 * life — before its execution started, while a redelivered copy waits in line. Each must reach the
 * idempotency key, and a message the workflow already answered must not run again.
 */

function delivery(seq: number, count = 1): Delivery {
	const noop = () => undefined;
	return {
		subject: 's', data: new TextEncoder().encode('{"n":1}'), headers: {}, stream: 'S', consumer: 'c',
		streamSequence: seq, consumerSequence: seq, deliveryCount: count, timestamp: new Date(0).toISOString(), storedAtMs: 0, pending: 0,
		replySubject: `$JS.ACK.S.c.${count}.${seq}.${seq}.0.0`, ack: noop, nak: noop, term: noop, working: noop,
	};
}

function rig() {
	const calls: string[] = [];
	const guard: MessageGuard = {
		check: async () => ({ action: 'process' }),
		processed: async (m: DecodedMessage) => void calls.push(`processed ${m.delivery.streamSequence}`),
		failed: async (m: DecodedMessage) => void calls.push(`failed ${m.delivery.streamSequence}`),
		timedOut: () => undefined,
		abandon: () => undefined,
		lateAnswer: async (sequence, kind) => void calls.push(`lateAnswer ${sequence} ${kind}`),
	};
	const lifecycle = new Lifecycle(new Ticker(10), 0, { deadLetterDue: () => undefined, handBack: () => undefined, left: () => undefined, repeated: () => undefined });
	const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
	const deps = {
		settings: { ackMode: 'later', content: 'auto', manual: false, retry: { baseDelayMs: 100, maxDelayMs: 1_000 } },
		facts: { maxDeliver: -1, backoffMs: [] },
		guard,
		logger,
		loop: { lifecycle, closing: false, fail: () => undefined },
	} as unknown as StepDeps;
	const deadLettering = {} as DeadLettering;
	return { calls, lifecycle, settlement: new Settlement(deps, deadLettering), admission: new Admission(deps, deadLettering) };
}

const signal = new AbortController().signal;

describe('an Acknowledge node\'s answer, wherever the message is', () => {
	it('an answer to an earlier delivery reaches the key while a redelivered copy waits in line', async () => {
		const { calls, lifecycle, settlement } = rig();
		lifecycle.receive(delivery(7, 2));
		await settlement.answeredInWorkflow(7, 'ack');
		expect(calls).toEqual(['lateAnswer 7 ack']);
		expect(lifecycle.size).toBe(1);
	});

	it('a message answered while its admission was under way does not run, and its key follows the answer', async () => {
		const { calls, lifecycle, settlement, admission } = rig();
		const unit = {};
		lifecycle.receive(delivery(8));
		lifecycle.receive(delivery(9));
		const answered = (await lifecycle.next(signal, undefined, unit)) as HeldMessage;
		const other = (await lifecycle.next(signal, undefined, unit)) as HeldMessage;
		// The guard's check is on its way: the late answer of an earlier delivery arrives meanwhile.
		await settlement.answeredInWorkflow(8, 'ack');
		expect(lifecycle.isHeld(answered)).toBe(false);
		const [a, b] = [answered, other].map((m) => Object.assign(m, { payload: { kind: 'json', value: {} } }) as Decoded);
		expect(await admission.stillToRun([a, b])).toEqual([b]);
		expect(calls).toContain('processed 8');
		expect(calls).not.toContain('processed 9');
	});

	it('a running message the workflow answered mid-execution is released with its answer', async () => {
		const { calls, lifecycle, settlement } = rig();
		lifecycle.receive(delivery(3));
		const m = (await lifecycle.next(signal, undefined, {})) as HeldMessage;
		m.payload = { kind: 'json', value: {} };
		await settlement.answeredInWorkflow(3, 'nak');
		expect(m.state).toEqual({ name: 'answered', how: 'released', workflowAnswer: 'nak' });
		expect(calls).toEqual(['failed 3']);
	});
});
