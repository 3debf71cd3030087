import { createInbox, type Msg, type Subscription } from '@nats-io/transport-node';

import { PermissionError } from '../errors';
import { toNodeError } from '../errorMapping';
import { withinDeadline } from '../execution/sleep';
import { msToNanos } from '../units';
import type { NatsClient } from './client';
import { AnswerWriter, toDelivery, type Delivery } from './delivery';

/**
 * Pull requests sized by the caller. NATS.js's `consume()` keeps a buffer of its own and refills it
 * whenever messages arrive, whether or not anybody reads them: messages sat there unanswered while
 * their ack wait ran out, and were delivered a second time. Here the caller asks for exactly as many
 * messages as it can hold and keep alive (`request(n)`), every delivered message reaches it at once
 * (`onMessage`), and closing drains the subscription, so even the messages that were on the wire when
 * the trigger stopped are handed over rather than dropped.
 */

/** Consumer notifications the trigger reacts to; the rest is only logged. */
export interface PullStatus {
	type: 'consumer_deleted' | 'consumer_not_found' | 'stream_not_found' | 'exceeded_limits' | 'requests_lost' | 'refused' | 'debug';
	/** With `refused`: the permission error, naming the subject the server refused. */
	error?: Error;
	description: string;
}

export interface PullHandlers {
	/** A delivered message: from now on the caller owns it (answers it, keeps it alive). */
	message(delivery: Delivery): void;
	/** Fewer messages are on their way than were asked for (a request expired or was lost): ask again. */
	credit(): void;
	status(status: PullStatus): void;
	/** An answer could not be written (the connection is closing); the server redelivers after the ack wait. */
	answerFailed(error: Error, count: number): void;
}

export interface Puller {
	/** Asks the server for `count` more messages. */
	request(count: number): void;
	/** Messages asked for that have neither arrived nor expired. */
	readonly outstanding: number;
	/** Writes the answers queued in this turn now. */
	flushAnswers(): void;
	/** Forgets the open requests (the consumer was re-created: they went to the old one). */
	forget(): void;
	/**
	 * Stops asking. Resolves once every message the server sent before it saw the unsubscribe has gone
	 * to `message` (at most `timeoutMs`; after that the rest is dropped and redelivered after its ack wait).
	 */
	close(timeoutMs: number): Promise<void>;
}

export interface PullOptions {
	/** How long a pull request stays open at the server. */
	expiresMs: number;
	/** The server's idle heartbeat for an open request: two missed ones mean the request was lost. */
	heartbeatMs: number;
	/** The consumer's largest allowed batch per request (`max_batch`), 0 = no limit. */
	maxBatch: number;
	/** Confirms the consumer exists: 'ok', 'consumer_not_found', 'stream_not_found', or undefined when it cannot tell (server down). */
	check(): Promise<'ok' | 'consumer_not_found' | 'stream_not_found' | undefined>;
}

/** After "no responders" (JetStream restarting), wait this long before asking again. */
const NO_RESPONDERS_PAUSE_MS = 1_000;

function statusOf(msg: Msg): { code: number; description: string; pending?: number } {
	const headers = msg.headers;
	const pending = headers?.get('Nats-Pending-Messages');
	return {
		code: headers?.code ?? 0,
		description: headers?.description ?? '',
		pending: pending ? Number(pending) : undefined,
	};
}

class PullerImpl implements Puller {
	private asked = 0;

	private lastHeard = Date.now();

	private readonly sub: Subscription;

	private readonly inbox: string;

	private readonly answers: AnswerWriter;

	private readonly monitor: NodeJS.Timeout;

	private checking = false;

	private closing = false;

	private readonly stopStatus: () => void;

	constructor(
		private readonly client: NatsClient,
		private readonly subject: string,
		/** `$JS.ACK.<stream>.<consumer>.`: answers to this consumer's messages. */
		private readonly ackPrefix: string,
		private readonly options: PullOptions,
		private readonly handlers: PullHandlers,
	) {
		this.answers = new AnswerWriter(client.nc, handlers.answerFailed);
		this.inbox = createInbox((client.nc as unknown as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
		this.sub = client.nc.subscribe(this.inbox, { callback: (error, msg) => this.receive(error, msg) });
		this.monitor = setInterval(() => this.watch(), options.heartbeatMs);
		this.monitor.unref();
		this.stopStatus = this.followConnection();
	}

	get outstanding(): number {
		return this.asked;
	}

	request(count: number): void {
		if (this.closing || count <= 0) return;
		// Answers queued for this turn go first: the server frees the acknowledged messages before it
		// delivers the new ones, so the unacknowledged count never exceeds what the caller holds.
		this.answers.flush();
		let left = Math.floor(count);
		while (left > 0) {
			const batch = this.options.maxBatch > 0 ? Math.min(left, this.options.maxBatch) : left;
			left -= batch;
			if (this.asked === 0) this.lastHeard = Date.now();
			this.asked += batch;
			const body = { batch, expires: msToNanos(this.options.expiresMs), idle_heartbeat: msToNanos(this.options.heartbeatMs) };
			try {
				this.client.nc.publish(this.subject, JSON.stringify(body), { reply: this.inbox });
			} catch (error) {
				// Closing connection: nothing was asked for after all.
				this.asked -= batch;
				this.handlers.status({ type: 'debug', description: `pull request not sent: ${(error as Error).message}` });
				return;
			}
		}
	}

	flushAnswers(): void {
		this.answers.flush();
	}

	forget(): void {
		this.asked = 0;
	}

	async close(timeoutMs: number): Promise<void> {
		if (this.closing) return;
		this.closing = true;
		clearInterval(this.monitor);
		this.stopStatus();
		this.answers.flush();
		const drained = await withinDeadline(this.sub.drain(), timeoutMs);
		if (!drained && !this.sub.isClosed()) this.sub.unsubscribe();
		this.answers.flush();
	}

	private receive(error: Error | null, msg: Msg): void {
		if (error) {
			this.handlers.status({ type: 'refused', description: error.message, error: toNodeError(error) });
			return;
		}
		this.lastHeard = Date.now();
		// Status messages (heartbeats, expired requests) come on the inbox itself; messages keep their subject.
		if (msg.subject === this.inbox || !msg.reply) {
			this.onStatus(msg);
			return;
		}
		this.asked = Math.max(0, this.asked - 1);
		this.handlers.message(toDelivery(msg, this.answers));
	}

	private onStatus(msg: Msg): void {
		const { code, description, pending } = statusOf(msg);
		if (code === 100) return;
		if (pending !== undefined) this.settle(pending);
		if (code === 404 || code === 408) {
			if (pending === undefined) this.lost();
			return;
		}
		if (code === 503) {
			// Nobody takes pull requests for this consumer: JetStream restarting, a leader election, or
			// the consumer (or its stream) is gone. Look it up, then ask again after a pause.
			this.asked = 0;
			this.verify(NO_RESPONDERS_PAUSE_MS);
			return;
		}
		if (code === 409) {
			if (/consumer deleted/i.test(description)) this.handlers.status({ type: 'consumer_deleted', description });
			else if (/exceeded/i.test(description)) this.handlers.status({ type: 'exceeded_limits', description });
			else this.handlers.status({ type: 'debug', description: `${code} ${description}` });
			// Leadership change, server shutdown…: the request is gone; without a count, all of them.
			if (pending === undefined) this.lost();
			return;
		}
		this.handlers.status({ type: 'debug', description: `${code} ${description}`.trim() });
	}

	/** A request ended with `pending` messages of it never delivered. */
	private settle(pending: number): void {
		this.asked = Math.max(0, this.asked - pending);
		this.handlers.credit();
	}

	/** The open requests are gone (connection lost, server restarted): nothing more is on its way. */
	private lost(): void {
		if (this.asked === 0) return;
		this.asked = 0;
		this.handlers.status({ type: 'requests_lost', description: 'open pull requests were lost; asking again' });
		this.handlers.credit();
	}

	/**
	 * Requests that stay silent for two heartbeats were lost. The consumer is looked up first: the
	 * round trip lets anything already received be processed (a busy event loop is not a lost request),
	 * and it tells whether the consumer or stream is gone.
	 */
	private watch(): void {
		if (this.closing || this.checking || this.asked === 0) return;
		if (Date.now() - this.lastHeard < 2 * this.options.heartbeatMs + 500) return;
		this.verify();
	}

	/**
	 * Looks the consumer up: gone → reported; there → the open requests are forgotten (if nothing was
	 * heard meanwhile) and asked for again, `retryMs` later.
	 */
	private verify(retryMs = 0): void {
		if (this.closing || this.checking) return;
		this.checking = true;
		const heardBefore = this.lastHeard;
		this.options
			.check()
			.then((result) => {
				if (this.closing) return;
				if (result === 'consumer_not_found' || result === 'stream_not_found') {
					this.handlers.status({ type: result, description: 'the server no longer knows it' });
					return;
				}
				if (this.lastHeard === heardBefore || retryMs > 0) this.lost();
				if (retryMs > 0) setTimeout(() => this.handlers.credit(), retryMs).unref();
			})
			.catch((error: unknown) => this.handlers.status({ type: 'debug', description: `consumer check failed: ${(error as Error).message}` }))
			.finally(() => {
				this.checking = false;
			});
	}

	/**
	 * A refused pull request or answer is a plain publish: the server says so only on the connection.
	 * Retrying cannot help, and unanswered messages would run again, so the caller stops at once.
	 */
	private refusedPublish(error: Error | undefined): void {
		const mapped = error ? toNodeError(error) : undefined;
		if (!(mapped instanceof PermissionError) || mapped.operation !== 'publish') return;
		if (mapped.subject !== this.subject && !mapped.subject.startsWith(this.ackPrefix)) return;
		this.handlers.status({ type: 'refused', description: mapped.message, error: mapped });
	}

	/** After a reconnect the server has forgotten the requests of the old connection. */
	private followConnection(): () => void {
		const status = this.client.nc.status();
		void (async () => {
			for await (const s of status) {
				if (this.closing) return;
				if (s.type === 'reconnect') {
					this.lastHeard = Date.now();
					this.lost();
				}
				if (s.type === 'error') this.refusedPublish(s.error);
			}
		})();
		// The status iterator ends only when stopped (or the connection closes).
		return () => (status as unknown as { stop?: () => void }).stop?.();
	}
}

/** Starts pulling from `$JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>`; nothing is asked for until `request()`. */
export function openPuller(client: NatsClient, apiPrefix: string, stream: string, consumer: string, options: PullOptions, handlers: PullHandlers): Puller {
	return new PullerImpl(client, `${apiPrefix}.CONSUMER.MSG.NEXT.${stream}.${consumer}`, `$JS.ACK.${stream}.${consumer}.`, options, handlers);
}
