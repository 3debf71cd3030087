import type { INodeExecutionData } from 'n8n-workflow';

import { runExecution, type ExecutionResult, type Outcome } from '../../shared/execution/emitter';
import { Admission } from './admission';
import { ifExecutionFails, isLastDelivery } from './answers';
import { DeadLettering } from './deadLettering';
import type { DeadLetterDetails } from './hooks';
import type { HeldMessage } from './lifecycle';
import { toItem, type DeliveryPlan } from './output';
import { Settlement } from './settlement';
import type { Decoded, StepDeps } from './steps';

/** One message, or a batch: the messages one execution gets. It is also the token they run for. */
export interface Unit {
	readonly messages: HeldMessage[];
}

/**
 * One unit's path — one message, or a batch: admission (decode, guards) → execution → settlement.
 * Nothing here drops a message: each one leaves the lifecycle with exactly one answer, also when a
 * step fails unexpectedly (`failed`).
 */
export class UnitProcessor {
	private readonly deadLettering: DeadLettering;

	private readonly admission: Admission;

	private readonly settlement: Settlement;

	constructor(private readonly deps: StepDeps) {
		this.deadLettering = new DeadLettering(deps);
		this.admission = new Admission(deps, this.deadLettering);
		this.settlement = new Settlement(deps, this.deadLettering);
	}

	/** Runs the unit (its messages are running); returns the execution outcome, or undefined when none ran. */
	async process(unit: Unit): Promise<Outcome | undefined> {
		let admitted = await this.admission.admit(unit.messages);
		const { settings, loop } = this.deps;
		if (admitted.length > 0 && loop.closing) {
			await Promise.all(admitted.map(async (m) => await this.handBack(m, 'the trigger closed before it ran')));
			return undefined;
		}
		let items = admitted.length > 0 ? await this.items(admitted) : [];
		if (settings.ackMode === 'later') {
			// An Acknowledge node may have answered one meanwhile (a late answer of an earlier delivery).
			const toRun = await this.admission.stillToRun(admitted);
			items = items.filter((_, i) => toRun.includes(admitted[i]));
			admitted = toRun;
		}
		if (admitted.length === 0) return undefined;
		if (settings.manual) {
			this.deps.ctx.emit([items]);
			admitted.forEach((m) => loop.lifecycle.release(m));
			return 'success';
		}
		if (settings.ackMode === 'immediately') admitted.forEach((m) => loop.lifecycle.answer(m, 'ack'));
		const started = Date.now();
		admitted.forEach((m) => this.deps.stats.started(started - m.delivery.storedAtMs));
		const result = await this.execute(items);
		this.deps.stats.executed(result.outcome, Date.now() - started, admitted.length);
		await this.settlement.settle(admitted, result);
		return result.outcome;
	}

	/**
	 * A step failed unexpectedly (a bug, a binary conversion n8n refused): every message of the unit
	 * still held goes back. A test run stops with the error instead; its messages need no answer.
	 */
	async failed(unit: Unit, error: Error): Promise<void> {
		const { lifecycle } = this.deps.loop;
		// Only what still runs for this unit: a message it parked may run for another one by now.
		const own = unit.messages.filter((m) => m.state.name === 'running' && m.state.unit === unit);
		if (this.deps.settings.manual) {
			own.forEach((m) => lifecycle.release(m));
			this.deps.loop.fail(error);
			return;
		}
		this.deps.logger.error(`Processing message(s) failed unexpectedly: ${error.message}; they will be delivered again`);
		await Promise.all(
			own.map(async (m) => {
				try {
					await this.handBack(m, 'processing it failed unexpectedly');
				} catch (handBackError) {
					// Let go, unanswered: the server delivers it again after its ack wait.
					this.deps.logger.error(`Handing message ${m.sequence} back failed too (${(handBackError as Error).message}); it comes back after its ack wait`);
					lifecycle.release(m);
				}
			}),
		);
	}

	async handBack(message: HeldMessage, why: string): Promise<void> {
		await this.settlement.handBack(message, why);
	}

	async deadLetterDue(message: HeldMessage, details: DeadLetterDetails): Promise<void> {
		await this.deadLettering.giveUp(message, details);
	}

	async answeredInWorkflow(sequence: number, kind: 'ack' | 'nak' | 'term'): Promise<void> {
		await this.settlement.answeredInWorkflow(sequence, kind);
	}

	private async execute(items: INodeExecutionData[]): Promise<ExecutionResult> {
		try {
			return await runExecution(this.deps.ctx, items, { timeoutMs: this.deps.settings.executionTimeoutMs, ticker: this.deps.ticker });
		} catch (error) {
			// n8n refused to start the execution: give the messages back for another try.
			this.deps.logger.error(`Could not start an execution: ${(error as Error).message}; its message(s) will be delivered again`);
			return { outcome: 'failure', error: (error as Error).message };
		}
	}

	private async items(messages: Decoded[]): Promise<INodeExecutionData[]> {
		const prepare = this.deps.ctx.helpers.prepareBinaryData.bind(this.deps.ctx.helpers);
		return await Promise.all(messages.map((m) => toItem(m, this.deps.settings, prepare, this.plan(m))));
	}

	/** A test run answers no message by its outcome: its items promise nothing. */
	private plan(message: HeldMessage): DeliveryPlan | undefined {
		const { settings, facts } = this.deps;
		if (settings.manual) return undefined;
		const last = isLastDelivery(message.deliveries, facts.maxDeliver);
		return {
			maxDeliveries: facts.maxDeliver > 0 ? facts.maxDeliver : null,
			ifExecutionFails: ifExecutionFails(settings.ackMode, last, settings.deadLetter !== undefined),
		};
	}
}
