import { NodeOperationError } from 'n8n-workflow';

import { DEAD_LETTER_HINTS, type DeadLettering } from './deadLettering';
import { passThroughGuard, type DeadLetterDetails, type GuardVerdict } from './hooks';
import type { HeldMessage } from './lifecycle';
import { decodeDelivery } from './sourcePayload';
import type { Decoded, StepDeps } from './steps';

const PROCESS: GuardVerdict = { action: 'process' };
/** How long a message waits when a right its check needs was refused (the trigger stops meanwhile, and hands it back). */
const REFUSED_WAIT_MS = 30_000;

/**
 * Whether a running message may start its execution: decoded once (poison is given up), then checked
 * by the guards (schema, idempotency). A verdict other than "process" settles it here: a duplicate is
 * acknowledged, a message that must wait is parked, one that can never succeed is given up.
 */
export class Admission {
	constructor(
		private readonly deps: StepDeps,
		private readonly deadLettering: DeadLettering,
	) {}

	/** The messages of the unit that may run; the others are answered, parked or given up. */
	async admit(unit: HeldMessage[]): Promise<Decoded[]> {
		const admitted: Decoded[] = [];
		for (const message of unit) {
			if (!this.deps.loop.lifecycle.isHeld(message) || !(await this.decode(message))) continue;
			const decoded = message as Decoded;
			const verdict = await this.check(decoded);
			if (verdict.action === 'process') admitted.push(decoded);
			else await this.settle(decoded, verdict);
		}
		return admitted;
	}

	/** What a message points at first (a duplicate downloads for nothing, but a key is never claimed for a corrupt object). */
	private async check(message: Decoded): Promise<GuardVerdict> {
		const attached = this.deps.content ? await this.deps.content.attach(message) : PROCESS;
		if (attached.action !== 'process') return attached;
		return this.deps.guard === passThroughGuard ? PROCESS : await this.deps.guard.check(message);
	}

	/**
	 * The admitted messages that are still to run. One an Acknowledge node answered meanwhile (a late
	 * answer of an earlier delivery, while its check was on its way) is done: its key follows that answer.
	 */
	async stillToRun(admitted: Decoded[]): Promise<Decoded[]> {
		const { lifecycle } = this.deps.loop;
		const answered = admitted.filter((m) => !lifecycle.isHeld(m));
		if (answered.length === 0) return admitted;
		await Promise.all(
			answered.map(async (m) => {
				const state = m.state;
				if (state.name === 'answered' && state.workflowAnswer === 'ack') await this.deps.guard.processed(m);
				else await this.deps.guard.failed(m);
			}),
		);
		return admitted.filter((m) => lifecycle.isHeld(m));
	}

	private async settle(message: Decoded, verdict: Exclude<GuardVerdict, { action: 'process' }>): Promise<void> {
		const { lifecycle } = this.deps.loop;
		switch (verdict.action) {
			case 'skip':
				// Said where a user looks (with the statistics): a message that ran no execution leaves no other trace.
				this.deps.logger.info(`Message ${message.sequence} skipped, acknowledged without an execution: ${verdict.reason}`);
				this.deps.stats.duplicateSkipped();
				lifecycle.answer(message, 'ack');
				return;
			case 'wait':
				this.deps.logger.debug(`Message ${message.sequence} waits ${verdict.retryInMs} ms: ${verdict.reason}`);
				lifecycle.park(message, verdict.outage ? 'outage' : 'busy', verdict.retryInMs);
				return;
			case 'refused':
				lifecycle.park(message, 'outage', REFUSED_WAIT_MS);
				this.deps.loop.fail(verdict.error);
				return;
			default:
				await this.reject(message, { kind: verdict.kind, error: verdict.error });
		}
	}

	private async decode(message: HeldMessage): Promise<boolean> {
		if (message.payload !== undefined) return true;
		const payload = decodeDelivery(message.delivery, this.deps.settings);
		if (payload.kind !== 'poison' && payload.kind !== 'undecryptable') {
			message.payload = payload;
			return true;
		}
		await this.reject(message, { kind: payload.kind === 'poison' ? 'poison' : 'decrypt', error: payload.error });
		return false;
	}

	/** A message that will never succeed. A test run shows the reason instead (it dead-letters nothing). */
	private async reject(message: HeldMessage, details: DeadLetterDetails): Promise<void> {
		const { ctx, settings } = this.deps;
		if (settings.manual) throw new NodeOperationError(ctx.getNode(), details.error.message, { description: DEAD_LETTER_HINTS[details.kind] });
		await this.deadLettering.giveUp(message, details);
	}
}
