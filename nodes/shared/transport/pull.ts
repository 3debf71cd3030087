import { createInbox, type Msg, type Subscription } from '@nats-io/transport-node';

import { withinDeadline } from '../execution/sleep';
import { msToNanos } from '../units';
import type { NatsClient } from './client';
import { AnswerWriter, toDelivery, type Delivery } from './delivery';
import { guarded } from './guarded';
import type { PullLimits } from './pullLimits';
import { PullMachine, type CheckResult, type PullReport, type PullState } from './pullMachine';

/**
 * Pull requests sized by the caller, on the wire. NATS.js's `consume()` keeps a buffer of its own and
 * refills it whenever messages arrive, whether or not anybody reads them: messages sat there
 * unanswered while their ack wait ran out, and were delivered a second time. Here the caller asks for
 * exactly as many messages as it can hold and keep alive (`request(n)`), every delivered message
 * reaches it at once (`message`), and closing drains the subscription, so even the messages that
 * were on the wire when the trigger stopped are handed over rather than dropped. When to ask, and
 * what a status means, is decided by the `PullMachine`.
 */

export type { PullReport, PullState };

export interface PullHandlers {
	/** A delivered message: from now on the caller owns it (answers it, keeps it alive). */
	message(delivery: Delivery): void;
	/** The puller is ready for requests again (nothing or less is on its way): ask if there is room. */
	credit(): void;
	/** The consumer or stream is gone, a request was refused for good, or something worth a log line. */
	status(report: PullReport): void;
	/** An answer could not be written (the connection is closing); the server redelivers after the ack wait. */
	answerFailed(error: Error, count: number): void;
}

export interface Puller {
	/** Asks the server for `count` more messages (when the puller is ready; otherwise `credit` comes later). */
	request(count: number): void;
	/** Messages asked for that have neither arrived nor expired. */
	readonly outstanding: number;
	readonly state: PullState;
	/** Writes the answers queued in this turn now. */
	flushAnswers(): void;
	/** After the consumer came back or was re-created: the open requests went to the old one; ask again. */
	resume(): void;
	/** The connection dropped / is back (the server forgot the requests of the old one). */
	connectionLost(): void;
	connectionBack(): void;
	/** True for a subject this puller publishes to: its pull requests and its answers. */
	publishesTo(subject: string): boolean;
	/**
	 * Stops asking. Resolves once every message the server sent before it saw the unsubscribe has gone
	 * to `message` (at most `timeoutMs`; after that the rest is dropped and redelivered after its ack wait).
	 */
	close(timeoutMs: number): Promise<void>;
}

export interface PullTarget {
	/** `$JS.API`, a domain's or an imported prefix. */
	apiPrefix: string;
	stream: string;
	consumer: string;
}

export interface PullOptions {
	limits: PullLimits;
	/** Looks the consumer up (and reads its current limits). */
	check(): Promise<CheckResult>;
}

/** Status messages carry their meaning in the header line; a finished request says how many it did not deliver. */
function statusOf(msg: Msg): { code: number; description: string; pending?: number } {
	const headers = msg.headers;
	const pending = headers?.get('Nats-Pending-Messages');
	return { code: headers?.code ?? 0, description: headers?.description ?? '', pending: pending ? Number(pending) : undefined };
}

class PullerImpl implements Puller {
	private readonly machine: PullMachine;

	private readonly sub: Subscription;

	private readonly inbox: string;

	private readonly subject: string;

	private readonly ackPrefix: string;

	private readonly answers: AnswerWriter;

	private readonly watchdog: NodeJS.Timeout;

	constructor(
		private readonly client: NatsClient,
		private readonly target: PullTarget,
		private readonly options: PullOptions,
		private readonly handlers: PullHandlers,
	) {
		this.subject = `${target.apiPrefix}.CONSUMER.MSG.NEXT.${target.stream}.${target.consumer}`;
		this.ackPrefix = `$JS.ACK.${target.stream}.${target.consumer}.`;
		this.answers = new AnswerWriter(client.nc, handlers.answerFailed);
		this.machine = new PullMachine(options.limits, {
			send: (batch, limits, pinId) => this.send(batch, limits, pinId),
			check: () => this.check(),
			after: (ms, fn) => {
				const timer = setTimeout(fn, ms);
				timer.unref();
				return () => clearTimeout(timer);
			},
			credit: () => handlers.credit(),
			report: (report) => handlers.status(report),
			now: Date.now,
		});
		this.inbox = createInbox((client.nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
		// A throw in here would end the client's reader and leave the connection deaf: report it instead.
		const onError = (error: Error) => handlers.status({ type: 'error', description: `Handling a delivered message failed: ${error.message}` });
		this.sub = client.nc.subscribe(this.inbox, { callback: guarded((error, msg) => this.receive(error, msg), onError) });
		this.watchdog = setInterval(
			guarded(() => this.machine.tick(), onError),
			Math.min(1_000, options.limits.heartbeatMs),
		);
		this.watchdog.unref();
	}

	get outstanding(): number {
		return this.machine.outstanding.value;
	}

	get state(): PullState {
		return this.machine.state;
	}

	request(count: number): void {
		// Answers queued for this turn go first: the server frees the acknowledged messages before it
		// delivers the new ones, so the unacknowledged count never exceeds what the caller holds.
		this.answers.flush();
		this.machine.request(count);
	}

	flushAnswers(): void {
		this.answers.flush();
	}

	resume(): void {
		this.machine.resume();
	}

	connectionLost(): void {
		this.machine.disconnected();
	}

	connectionBack(): void {
		this.machine.reconnected();
	}

	publishesTo(subject: string): boolean {
		return subject === this.subject || subject.startsWith(this.ackPrefix);
	}

	async close(timeoutMs: number): Promise<void> {
		if (this.machine.state === 'closed') return;
		this.machine.close();
		clearInterval(this.watchdog);
		this.answers.flush();
		const drained = await withinDeadline(this.sub.drain(), timeoutMs);
		if (!drained && !this.sub.isClosed()) this.sub.unsubscribe();
		this.answers.flush();
		await withinDeadline(this.handOverPin(), timeoutMs);
	}

	/**
	 * One active reader, closed normally: release the pin so another reader takes over now rather than
	 * after the failover time. Only when this reader still holds it: an unpin releases whoever does.
	 */
	private async handOverPin(): Promise<void> {
		const { group, pinned } = this.options.limits;
		const pin = this.machine.pin;
		if (!pinned || !pin || !group) return;
		try {
			const jsm = await this.client.jsm();
			const info = (await jsm.consumers.info(this.target.stream, this.target.consumer)) as { priority_groups?: Array<{ group: string; pinned_client_id?: string }> };
			if (info.priority_groups?.find((g) => g.group === group)?.pinned_client_id !== pin) return;
			await jsm.consumers.unpin(this.target.stream, this.target.consumer, group);
			this.handlers.status({ type: 'debug', description: `released the pin of group "${group}": another reader takes over now` });
		} catch (error) {
			this.handlers.status({ type: 'warning', description: `Could not release this reader's pin (${(error as Error).message}); another reader takes over after the failover time` });
		}
	}

	private send(batch: number, limits: PullLimits, pinId: string | undefined): void {
		const body: Record<string, unknown> = { batch, expires: msToNanos(limits.expiresMs), idle_heartbeat: msToNanos(limits.heartbeatMs) };
		if (limits.group) body.group = limits.group;
		if (pinId) body.id = pinId;
		try {
			this.client.nc.publish(this.subject, JSON.stringify(body), { reply: this.inbox });
		} catch (error) {
			// Closing connection: nothing was asked for after all.
			this.machine.ended(batch);
			this.handlers.status({ type: 'debug', description: `pull request not sent: ${(error as Error).message}` });
		}
	}

	private check(): void {
		this.options
			.check()
			.catch((error: unknown): CheckResult => ({ status: 'unknown', error: error as Error }))
			.then((result) => this.machine.checked(result))
			.catch((error: unknown) => this.handlers.status({ type: 'error', description: `Acting on the consumer check failed: ${(error as Error).message}` }));
	}

	private receive(error: Error | null, msg: Msg): void {
		if (error) {
			this.handlers.status({ type: 'refused', description: `The server refused the trigger's subscription: ${error.message}` });
			return;
		}
		// Status messages (heartbeats, expired requests) come on the inbox itself; messages keep their subject.
		if (msg.subject === this.inbox || !msg.reply) {
			this.onStatus(msg);
			return;
		}
		this.machine.delivered(msg.headers?.get('Nats-Pin-Id') || undefined);
		this.handlers.message(toDelivery(msg, this.answers));
	}

	private onStatus(msg: Msg): void {
		const { code, description, pending } = statusOf(msg);
		switch (code) {
			case 100:
				this.machine.heard();
				return;
			case 404:
			case 408:
				this.machine.ended(pending);
				return;
			case 503:
				this.machine.noResponders();
				return;
			case 409:
				this.on409(description, pending);
				return;
			case 400:
			case 412:
			case 423:
				this.machine.refused(code, description, pending);
				return;
			default:
				this.handlers.status({ type: 'debug', description: `${code} ${description}`.trim() });
				if (pending !== undefined) this.machine.ended(pending);
		}
	}

	private on409(description: string, pending: number | undefined): void {
		if (/consumer deleted/i.test(description)) {
			// The machine looks the consumer up: a deleted stream deletes its consumers too.
			this.machine.noResponders();
			return;
		}
		// A request that ended with a count (batch completed, a message over max bytes) is only over.
		if (pending !== undefined && !/exceeded max(waiting|request)/i.test(description)) {
			this.machine.ended(pending);
			return;
		}
		if (/leadership change|server shutdown/i.test(description)) {
			this.machine.interrupted(`409 ${description}`);
			return;
		}
		this.machine.refused(409, description, pending);
	}
}

/** Starts pulling from `<prefix>.CONSUMER.MSG.NEXT.<stream>.<consumer>`; nothing is asked for until `request()`. */
export function openPuller(client: NatsClient, target: PullTarget, options: PullOptions, handlers: PullHandlers): Puller {
	return new PullerImpl(client, target, options, handlers);
}
