import type { ITriggerFunctions } from 'n8n-workflow';

import type { Ticker } from '../../shared/execution/ticker';
import type { OutageReporting } from '../../shared/n8n/outage';
import type { TransportLogger } from '../../shared/transport/connect';
import type { ConsumerFacts, RecoverOutcome } from '../../shared/transport/consume';
import type { TriggerSettings } from '../settings';
import type { ContentAttacher, DeadLetterSink, DecodedMessage, MessageGuard } from './hooks';
import type { StatsEvents } from './stats';
import type { HeldMessage, Lifecycle } from './lifecycle';

/**
 * What the steps of one message's path (admission, execution, settlement, dead-lettering) share,
 * and the small interface through which they talk to the loop that owns them.
 */

export type TriggerContext = Pick<ITriggerFunctions, 'emit' | 'helpers' | 'getNode'> & Partial<Pick<ITriggerFunctions, 'saveFailedExecution'>>;

/** A held message that was decoded: what the guards and the workflow see. */
export type Decoded = HeldMessage & DecodedMessage;

/** What the steps need of the consume loop. */
export interface LoopPort {
	readonly lifecycle: Lifecycle;
	/** True once n8n closes the trigger: a message admitted now goes back instead of starting an execution. */
	readonly closing: boolean;
	/** Stops the trigger with an error retrying cannot fix (n8n shows it and re-activates). */
	fail(error: Error): void;
}

export interface StepDeps {
	ctx: TriggerContext;
	settings: TriggerSettings;
	facts: ConsumerFacts;
	logger: TransportLogger;
	guard: MessageGuard;
	/** Object store trigger with "Download Content": the object's bytes, read before the guards. */
	content?: ContentAttacher;
	deadLetter: DeadLetterSink;
	ticker: Ticker;
	reporting: OutageReporting;
	/** Where what happens to messages is counted (figures, log line, statistics bucket, /metrics). */
	stats: StatsEvents;
	loop: LoopPort;
	/**
	 * "Later in the workflow": resolves once every answer the server sent this connection so far was
	 * seen (a round trip), so an Acknowledge node's answer is not missed by a hair.
	 */
	seenAnswers(): Promise<void>;
	/** "Later in the workflow": whether the trigger sees the Acknowledge node's answers at all (it may not be allowed to). */
	watchesWorkflowAnswers: boolean;
}

/** What the consume loop tells the trigger that runs it. */
export interface LoopEvents {
	/** The trigger cannot go on (consumer or stream deleted, a right refused): n8n should reactivate it. */
	fatal(error: Error): void;
	/** The server reported the consumer missing: see whether it is back, re-create it if the node manages it. */
	recover(): Promise<RecoverOutcome>;
}

/** Why the loop stopped reading: n8n closes it, it met an error it cannot mend, or a test run has its message. */
export type StopReason = 'closing' | 'failed' | 'testRunDone';
