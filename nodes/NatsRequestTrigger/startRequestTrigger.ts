import type { ITriggerFunctions, ITriggerResponse } from 'n8n-workflow';

import { forFeature, needing } from '../shared/errorMapping';
import { transportLogger } from '../shared/n8n/logger';
import { triggerReporting } from '../shared/n8n/outage';
import { watchTriggerConnection } from '../shared/n8n/triggerConnection';
import { triggerError } from '../shared/n8n/triggerError';
import { closeClient, createClient, openConnection, parseCredentials, secretValues, serveRequests, type NatsClient } from '../shared/transport';
import { Responder } from './responder';
import { readRequestSettings, type RequestTriggerSettings } from './settings';

/** How long deactivating waits for requests in flight to be answered. */
const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Activation: settings → own connection (reconnecting for ever, also through refused logins; the
 * subscription comes back with it) → subscription confirmed by the server. Anything that fails here
 * throws, so n8n shows the activation error; an outage later is said and ridden out, and the server
 * ending the subscription goes to `emitError`.
 */
export async function startRequestTrigger(ctx: ITriggerFunctions): Promise<ITriggerResponse> {
	const logger = transportLogger(ctx.logger, ctx.getNode().name);
	let settings: RequestTriggerSettings;
	let client: NatsClient;
	let secrets: string[];
	try {
		settings = readRequestSettings(ctx, (message) => logger.warn(message));
		const credentials = parseCredentials(await ctx.getCredentials('jetStreamNatsApi'));
		secrets = secretValues(credentials);
		client = createClient(await openConnection(credentials, { reconnect: true, outlastLoginRefusals: true }), credentials);
	} catch (error) {
		throw triggerError(ctx, error);
	}
	const responder = new Responder(ctx, settings, logger, secrets);
	let closing = false;
	let subscription;
	try {
		// A test run answers one request and stops, so it never takes more from the workflow's group.
		subscription = await needing(
			'the NATS Request Trigger',
			serveRequests(client, settings.subject, settings.queueGroup, settings.manual ? 1 : undefined, (request) => responder.handle(request), (error) => logger.error(`Taking a request failed unexpectedly: ${error.message}`)),
		);
	} catch (error) {
		await client.nc.close();
		throw triggerError(ctx, error);
	}
	const connection = watchTriggerConnection(client, { fail: (error) => ctx.emitError(triggerError(ctx, error)) }, triggerReporting(ctx, logger), secrets);
	void subscription.ended.then((error) => {
		if (error && !closing) ctx.emitError(triggerError(ctx, forFeature(error, 'the NATS Request Trigger')));
	});
	logger.info(
		`NATS Request Trigger answering "${settings.subject}"${settings.queueGroup ? ` in queue group "${settings.queueGroup}"` : ''}` +
			`${settings.manual ? ' (test run: one request)' : ''}; up to ${settings.parallel} at once`,
	);
	const closeFunction = async () => {
		closing = true;
		await subscription.close();
		await responder.close(CLOSE_TIMEOUT_MS);
		await connection.stop();
		await closeClient(client, logger);
	};
	return { closeFunction };
}
