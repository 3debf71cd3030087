import type { TransportLogger } from '../../shared/transport/connect';

/**
 * Says once that something the trigger needs (the idempotency bucket, the schema registry, the
 * dead-letter stream) cannot be reached, and once that it answers again — not once per message. The
 * messages that need it meanwhile wait, kept by the trigger; they are not retried or dead-lettered.
 */
export class Outage {
	private since?: number;

	private waited = 0;

	constructor(
		private readonly what: string,
		private readonly logger: TransportLogger,
	) {}

	get active(): boolean {
		return this.since !== undefined;
	}

	failed(error: Error): void {
		this.waited++;
		if (this.since !== undefined) return;
		this.since = Date.now();
		this.logger.warn(
			`${this.what} cannot be reached (${error.message}); the messages that need it wait, kept by the trigger without using up their deliveries, and are tried again`,
		);
	}

	ok(): void {
		if (this.since === undefined) return;
		const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
		this.logger.info(`${this.what} answers again after ${seconds} s (${this.waited} wait(s) meanwhile)`);
		this.since = undefined;
		this.waited = 0;
	}
}
