import { PermissionError } from '../../shared/errors';
import { forFeature } from '../../shared/errorMapping';
import { formatViolations, resolveSchema, SchemaNotRegisteredError, validatorForMessage, type ResolvedSchema, type Violation } from '../../shared/schema';
import type { NatsClient } from '../../shared/transport/client';
import type { SchemaSettings } from '../featureSettings';
import type { DecodedMessage, GuardVerdict, MessageGuard } from './hooks';
import { FEATURE } from './featureNames';
import type { Outage } from '../../shared/n8n/outage';

/**
 * Validates each message against the trigger's schema — or against another version of it that its
 * producer named in `Nats-Schema` — before the workflow runs. An invalid message is dead-lettered
 * (reason schema-invalid) or passed on with its violations, as the user chose. A registry that cannot
 * be reached is not a violation: the message waits until it answers.
 */
export class SchemaGuard implements MessageGuard {
	private constructor(
		private readonly client: NatsClient,
		private readonly settings: SchemaSettings,
		private readonly configured: ResolvedSchema,
		private readonly outage: Outage,
	) {}

	/**
	 * Resolves the configured schema at activation, so a wrong reference fails there, not per message.
	 * `outage` tracks the registry not answering at run time.
	 */
	static async create(client: NatsClient, settings: SchemaSettings, outage: Outage): Promise<SchemaGuard> {
		const configured = await resolveSchema(client, settings.source);
		if (!configured) throw new Error('A schema guard needs a schema');
		return new SchemaGuard(client, settings, configured, outage);
	}

	async check(message: DecodedMessage): Promise<GuardVerdict> {
		const bucket = this.settings.source.kind === 'registry' ? this.settings.source.bucket : undefined;
		let schema: ResolvedSchema;
		try {
			schema = await validatorForMessage(this.client, message.delivery.headers, this.configured, bucket);
		} catch (error) {
			// Only a registry that answered "no such version" says something about the message.
			if (error instanceof SchemaNotRegisteredError) {
				this.outage.ok();
				return this.invalid(message, [{ path: '/', rule: 'schema', message: `it names a schema version that is not registered: ${error.message}` }], undefined);
			}
			const refused = forFeature(error, FEATURE.schema);
			if (refused instanceof PermissionError) return { action: 'refused', error: refused };
			this.outage.failed(error as Error);
			return { action: 'wait', reason: `the schema registry cannot be reached (${(error as Error).message})`, retryInMs: this.outage.retryInMs(), outage: true };
		}
		this.outage.ok();
		const { payload } = message;
		const data = payload.kind === 'json' ? payload.value : payload.kind === 'text' ? parse(payload.value) : NOT_JSON;
		const violations = data === NOT_JSON ? [{ path: '/', rule: 'type', message: 'the message is not JSON' }] : schema.validate(data);
		return violations.length === 0 ? { action: 'process' } : this.invalid(message, violations, schema);
	}

	async processed(): Promise<void> {}

	async failed(): Promise<void> {}

	timedOut(): void {}

	abandon(): void {}

	async lateAnswer(): Promise<void> {}

	private invalid(message: DecodedMessage, violations: Violation[], schema: ResolvedSchema | undefined): GuardVerdict {
		const name = schema?.headerValue ?? (schema ? 'the trigger\'s schema' : 'its schema');
		if (this.settings.onViolation === 'passOn') {
			message.annotations = { ...message.annotations, schemaViolations: violations };
			return { action: 'process' };
		}
		const error = new Error(`Message ${message.delivery.streamSequence} does not match ${name}: ${formatViolations(violations, 10)}`);
		return { action: 'reject', error, kind: 'invalid' };
	}
}

const NOT_JSON = Symbol('not JSON');

function parse(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		// Text that is not JSON cannot match a JSON Schema; reported as a violation by the caller.
		return NOT_JSON;
	}
}
