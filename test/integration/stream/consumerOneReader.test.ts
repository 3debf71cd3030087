import { serverAtLeast } from '../../helpers/natsServer';
import { expectOperationOutput } from '../../helpers/outputSchemas';
import { json, messageSuite } from '../message/harness';

/** Consumer → Create or Update with One Active Reader (a priority group pinning one client, nats-server 2.11+). */

const suite = messageSuite('consumer-one-reader');
const run = async (params: Record<string, unknown>) => json((await suite.run({ resource: 'consumer', ...params })).out);
const consumer = (extra: Record<string, unknown> = {}) => ({ stream: suite.stream, consumerName: 'single', deliverPolicy: 'all', ...extra });

describe('Consumer → One Active Reader', () => {
	if (serverAtLeast('2.11.0')) {
		it('makes a consumer that pins one reader, says so in its settings, and refuses to turn it off', async () => {
			const [created] = await run({ operation: 'upsert', ...consumer({ failoverAfter: 5 }) });
			expect(created).toMatchObject({ action: 'created', config: { failoverAfterSeconds: 5 } });
			expectOperationOutput('consumer', 'upsert', [created]);
			const info = await suite.jsm.consumers.info(suite.stream, 'single');
			expect(info.config).toMatchObject({ priority_groups: ['n8n'], priority_policy: 'pinned_client', priority_timeout: 5_000_000_000 });
			const [changed] = await run({ operation: 'upsert', ...consumer({ failoverAfter: 20 }) });
			expect(changed).toMatchObject({ action: 'updated', changes: [{ setting: 'failoverAfter', from: 5_000_000_000, to: 20_000_000_000 }], config: { failoverAfterSeconds: 20 } });
			await expect(run({ operation: 'upsert', ...consumer({ failoverAfter: 0 }) })).rejects.toThrow(/lets one reader at a time receive messages; the server does not turn that off/);
		});
	} else {
		it('is refused on a server before 2.11, naming the version', async () => {
			await expect(run({ operation: 'upsert', ...consumer({ failoverAfter: 5 }) })).rejects.toThrow(/One Active Reader .*2\.11\.0 or newer/);
			await expect(suite.jsm.consumers.info(suite.stream, 'single')).rejects.toThrow(/consumer not found/);
		});
	}
});
