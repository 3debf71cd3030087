'use strict';
/**
 * A newcomer on a NATS server without a single stream (issue 27): the trigger's Stream list says so and
 * what to do, the hint cannot be picked, and the trigger creates its stream when "Create Stream If
 * Missing" is on — no JetStream node wired after a failing trigger. A second, empty nats-server and a
 * credential for it, so the first day's server (with its streams) stays as it is.
 */
const { join } = require('node:path');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');

const { startNats } = require('../../scripts/lib/natsLocal');
const { eventually, expect } = require('../e2e/lib');
const editor = require('./editor');

const CREDENTIAL = 'NATS empty server';
const STREAM = 'NEWCOMER';

const steps = [
	{
		name: 'an empty server: the stream list says there is none yet and what to do, and the hint cannot be picked',
		screenshot: '16-empty-server-stream-list.png',
		async run(s) {
			const { page } = s;
			s.empty = await startNats({ dir: join(s.work, 'empty-nats') });
			s.emptyNc = await connect({ servers: s.empty.url });
			const dialog = await editor.createCredential(page, { typeDisplayName: 'NATS (JetStream Nodes)', name: CREDENTIAL, servers: s.empty.url });
			await dialog.getByText('Connection tested successfully').waitFor({ timeout: 20_000 });
			await editor.closeDialog(page, dialog);
			await editor.universalAdd(page, 'New workflow');
			await page.getByTestId('canvas-plus-button').click();
			const names = await editor.searchNodesPanel(page, 'JetStream');
			await names.filter({ hasText: /^JetStream$/ }).first().click();
			await names.filter({ hasText: 'On new JetStream event' }).click();
			await editor.ndv(page).waitFor();
			await editor.chooseCredential(page, CREDENTIAL);
			const list = await editor.openLocatorList(page, 'stream');
			const none = list.items.filter({ hasText: 'No streams on this server yet' });
			await none.waitFor();
			await list.items.filter({ hasText: 'Choose "By Name", type a name, turn on "Create Stream If Missing"' }).waitFor();
			await s.shot(this.screenshot);
			await none.click();
			const chosen = await list.locator.getByTestId('rlc-input').inputValue();
			expect(chosen === '', `the Stream field shows "${chosen}" after a click on the hint`);
		},
		shotTaken: true,
	},
	{
		name: 'the trigger creates its stream ("Create Stream If Missing") and shows the first message',
		screenshot: '17-trigger-created-its-stream.png',
		async run(s) {
			const { page } = s;
			const ndv = editor.ndv(page);
			const stream = await editor.locatorMode(page, 'stream', 'By Name');
			await stream.getByTestId('rlc-input').fill(STREAM);
			await ndv.getByTestId('parameter-input-createStream').locator('.el-switch').click();
			await editor.parameterInput(page, 'streamSubjects').fill('newcomer.>');
			const durable = await editor.locatorMode(page, 'durableName', 'By Name');
			await durable.getByTestId('rlc-input').fill('newcomer');
			const jsm = await jetstreamManager(s.emptyNc);
			expect(!(await jsm.streams.info(STREAM).then(() => true, () => false)), `stream ${STREAM} exists before the trigger ran`);
			await ndv.getByRole('button', { name: 'Test this trigger' }).click();
			// Until the trigger made it, the stream is not there ("stream not found").
			await eventually(async () => (await jsm.consumers.list(STREAM).next().catch(() => [])).length > 0, 20_000, `stream ${STREAM} and the test run's consumer on it`);
			expect(JSON.stringify((await jsm.streams.info(STREAM)).config.subjects) === '["newcomer.>"]', 'the stream was created with other subjects');
			await jetstream(s.emptyNc).publish('newcomer.hello', JSON.stringify({ hello: 'world' }));
			const output = ndv.getByTestId('output-panel');
			await output.getByText('1 item').waitFor({ timeout: 20_000 });
			// Table or JSON, whichever the panel shows (the day's steps left it at JSON).
			await eventually(async () => /hello[\s\S]*world[\s\S]*NEWCOMER/.test(await output.innerText()), 10_000, 'the output panel showing the message and its stream');
		},
		async after(s) {
			await s.page.getByTestId('ndv-close-button').click();
			await editor.ndv(s.page).waitFor({ state: 'hidden' });
		},
	},
];

async function cleanup(s, signal) {
	await s.emptyNc?.close().catch(() => undefined);
	await s.empty?.stop(signal);
}

module.exports = { steps, cleanup };
