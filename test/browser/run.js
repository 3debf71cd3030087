'use strict';
/**
 * The editor the way a user sees it: a real n8n 2.x with this package installed as a community
 * package (as the e2e suite does it), a real nats-server, and Debian's Chromium driven headless by
 * playwright-core. `npm run test:browser`.
 *
 * One scenario, step by step, each asserted and screenshotted into docs/screenshots/ (the README
 * links them; overwritten on every run): sign in, create the NATS credential (tested OK, and a second
 * one at a closed port that says nothing is listening there), add the JetStream Trigger from the
 * nodes panel, pick the stream from the list (shown with its subjects), see a bad Durable Name
 * flagged while typed, test it with a real message, publish that message on
 * with a JetStream node, and read the stored bytes back with NATS.js.
 * A failed step saves test/browser/failures/<step>.png and prints the page's visible error text;
 * the steps after it are skipped (each builds on the one before).
 * CHROMIUM_BIN (default /usr/bin/chromium), BROWSER_SCREENSHOTS_DIR (default docs/screenshots) and
 * BROWSER_TEST_LIMIT_S (the whole run, default 300) change the defaults. About a minute once n8n is
 * cached (~25 s of it building and installing the package and starting n8n).
 */
const { mkdirSync, mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { connect } = require('@nats-io/transport-node');
const { jetstream, jetstreamManager } = require('@nats-io/jetstream');

const { ensureRuntime } = require('../../scripts/lib/runtime');
const { startNats, freePort, describePort } = require('../../scripts/lib/natsLocal');
const { installPackage, N8n, OWNER } = require('../../scripts/lib/n8nHost');
const { eventually, expect } = require('../e2e/lib');
const editor = require('./editor');
const day = require('./day');
const emptyServer = require('./emptyServer');

const ROOT = join(__dirname, '..', '..');
const SCREENSHOTS = process.env.BROWSER_SCREENSHOTS_DIR || join(ROOT, 'docs', 'screenshots');
const FAILURES = join(__dirname, 'failures');
/** The whole run, setup included; past it everything is killed and the run fails. */
const RUN_LIMIT_MS = Number(process.env.BROWSER_TEST_LIMIT_S || 300) * 1000;

const CREDENTIAL_TYPE = 'NATS (JetStream Nodes)';
const GOOD_CREDENTIAL = 'NATS local';
const CLOSED_CREDENTIAL = 'NATS closed port';
const DURABLE = 'browser-orders';
const PAYLOAD = { orderId: 'A-1' };

const steps = [
	{
		name: 'sign in through the login page',
		screenshot: '01-sign-in.png',
		async run(s) {
			// The owner was set up through the REST API (as the e2e suite does); the login is the user's.
			await editor.signIn(s.page, s.n8n.base, OWNER, () => s.shot(this.screenshot));
			await s.page.getByTestId('universal-add').waitFor();
		},
		shotTaken: true,
	},
	{
		name: 'create the NATS credential: the connection test succeeds',
		screenshot: '02-credential-connection-tested.png',
		async run(s) {
			const dialog = await editor.createCredential(s.page, { typeDisplayName: CREDENTIAL_TYPE, name: GOOD_CREDENTIAL, servers: s.nats.url });
			await dialog.getByText(CREDENTIAL_TYPE, { exact: true }).first().waitFor();
			await dialog.getByText('Connection tested successfully').waitFor({ timeout: 20_000 });
			s.dialog = dialog;
		},
		async after(s) {
			await editor.closeDialog(s.page, s.dialog);
		},
	},
	{
		name: 'a credential at a closed port says nothing is listening there',
		screenshot: '03-credential-nothing-listening.png',
		async run(s) {
			const port = await freePort();
			expect((await describePort(port)) === undefined, `port ${port} was meant to be closed`);
			const url = `nats://127.0.0.1:${port}`;
			const dialog = await editor.createCredential(s.page, { typeDisplayName: CREDENTIAL_TYPE, name: CLOSED_CREDENTIAL, servers: url });
			await dialog.getByText('Couldn’t connect with these settings').waitFor({ timeout: 20_000 });
			await dialog.getByText('More details').click();
			// Our text (nodes/shared/errors.ts), not n8n's generic one.
			await dialog.getByText(`Nothing is listening at ${url} (connection refused)`).waitFor();
			s.dialog = dialog;
		},
		async after(s) {
			await editor.closeDialog(s.page, s.dialog);
		},
	},
	{
		name: 'new workflow: "JetStream" in the nodes panel offers the trigger',
		screenshot: '04-nodes-panel-jetstream.png',
		async run(s) {
			await editor.universalAdd(s.page, 'New workflow');
			await s.page.getByTestId('canvas-plus-button').click();
			const names = await editor.searchNodesPanel(s.page, 'JetStream');
			await names.filter({ hasText: /^JetStream$/ }).first().waitFor();
		},
		async after(s) {
			const names = s.page.getByTestId('node-creator-item-name');
			await names.filter({ hasText: /^JetStream$/ }).first().click();
			await names.filter({ hasText: 'On new JetStream event' }).click();
			await editor.ndv(s.page).waitFor();
		},
	},
	{
		name: 'trigger: choose the credential and pick the stream from the list',
		screenshot: '05-trigger-stream-from-list.png',
		async run(s) {
			const { page } = s;
			await editor.chooseCredential(page, GOOD_CREDENTIAL);
			expect((await editor.parameterKind(page, 'stream')) === 'locator', 'the Stream field is not a picker');
			const list = await editor.openLocatorList(page, 'stream');
			// Every stream of the server with the subjects it captures, then narrowed by the search box.
			await list.items.filter({ hasText: 'SHIPPED (shipped.>)' }).waitFor();
			await list.items.filter({ hasText: 'ORDERS (orders.>)' }).waitFor();
			await list.search('ORD');
			await eventually(async () => (await list.items.allInnerTexts()).map((t) => t.trim()).join() === 'ORDERS (orders.>)', 10_000, 'the list searched for "ORD" to show only ORDERS (orders.>)');
			await s.shot(this.screenshot);
			await list.pick('ORDERS');
			const chosen = await list.locator.getByTestId('rlc-input').inputValue();
			expect(/^ORDERS\b/.test(chosen), `the stream field shows "${chosen}" after picking ORDERS`);
		},
		shotTaken: true,
	},
	{
		name: 'trigger: a Durable Name NATS would refuse is flagged while it is typed',
		screenshot: '05b-durable-name-checked-while-typing.png',
		async run(s) {
			const { page } = s;
			expect((await editor.parameterKind(page, 'durableName')) === 'locator', 'Durable Name is not a picker, so n8n cannot check it while typing');
			const issue = await editor.typedNameIssue(page, 'durableName', 'orders.billing');
			expect(/^Not a valid consumer name\. Letters, digits, - and _ only/.test(issue), `n8n's issue for the Durable Name "orders.billing" (a dot) reads "${issue}"`);
			await s.shot(this.screenshot);
			expect((await editor.typedNameIssue(page, 'durableName', DURABLE)) === '', `n8n flags the valid Durable Name "${DURABLE}"`);
		},
		shotTaken: true,
	},
	{
		name: 'trigger: "Test this trigger" shows a real message\'s payload',
		screenshot: '06-trigger-test-event.png',
		async run(s) {
			const ndv = editor.ndv(s.page);
			await ndv.getByRole('button', { name: 'Test this trigger' }).click();
			await ndv.getByTestId('node-execute-button').filter({ hasText: 'Stop Listening' }).waitFor();
			// A test run reads through a throwaway consumer (from "new" messages, when that is the
			// deliver policy): publish once it exists, as a user would publish once it listens.
			await eventually(async () => (await s.jsm.consumers.list('ORDERS').next()).length > 0, 20_000, 'the test run\'s consumer on ORDERS');
			await s.js.publish('orders.created', JSON.stringify(PAYLOAD));
			const output = ndv.getByTestId('output-panel');
			await output.getByText('1 item').waitFor({ timeout: 20_000 });
			await output.getByRole('columnheader', { name: 'payload' }).waitFor();
			const text = await output.innerText();
			expect(/orderId\s*:\s*A-1/.test(text), `the output panel does not show the payload's orderId A-1:\n${text.slice(0, 800)}`);
			// A test run never creates (or moves) the durable consumer production uses.
			const durable = await s.jsm.consumers.info('ORDERS', DURABLE).then(() => true, () => false);
			expect(!durable, `the test run created the durable consumer "${DURABLE}"`);
		},
		async after(s) {
			await s.page.getByTestId('ndv-close-button').click();
			await editor.ndv(s.page).waitFor({ state: 'hidden' });
		},
	},
	{
		name: 'JetStream node: its actions in the nodes panel',
		screenshot: '07-jetstream-actions.png',
		async run(s) {
			const { page } = s;
			await page.locator('[data-test-id="canvas-node-output-handle"][data-node-name="JetStream Trigger"]').getByTestId('canvas-handle-plus').click();
			const names = await editor.searchNodesPanel(page, 'JetStream');
			await names.filter({ hasText: /^JetStream$/ }).first().click();
			await names.filter({ hasText: /^Publish a message$/ }).waitFor();
		},
		async after(s) {
			await s.page.getByTestId('node-creator-item-name').filter({ hasText: /^Publish a message$/ }).click();
			await editor.ndv(s.page).waitFor();
		},
	},
	{
		name: 'JetStream node: the operation list, Publish chosen',
		screenshot: '08-jetstream-operations.png',
		async run(s) {
			const { page } = s;
			await editor.chooseCredential(page, GOOD_CREDENTIAL);
			await editor.ndv(page).getByTestId('parameter-input-operation').click();
			const options = page.getByRole('option').filter({ visible: true });
			await options.filter({ hasText: /^Publish/ }).waitFor();
			const names = (await options.allInnerTexts()).map((t) => t.split('\n')[0].trim());
			expect(names.includes('Publish') && names.includes('Acknowledge'), `the Message operations listed are ${names.join(', ')}`);
		},
		async after(s) {
			await s.page.keyboard.press('Escape');
		},
	},
	{
		name: 'JetStream node: publishes the trigger\'s payload, not its item',
		screenshot: '09-publish-output.png',
		async run(s) {
			const ndv = editor.ndv(s.page);
			const operation = await ndv.getByTestId('parameter-input-operation').locator('input').inputValue();
			expect(operation === 'Publish', `the operation shows "${operation}"`);
			await editor.parameterInput(s.page, 'subject').fill('shipped.created');
			await ndv.getByTestId('node-execute-button').click();
			const output = ndv.getByTestId('output-panel');
			await output.getByText('1 item').waitFor({ timeout: 20_000 });
			await output.getByRole('cell', { name: 'SHIPPED', exact: true }).waitFor();
			const stored = await s.jsm.streams.getMessage('SHIPPED', { last_by_subj: 'shipped.created' });
			const bytes = new TextDecoder().decode(stored.data);
			expect(bytes === JSON.stringify(PAYLOAD), `SHIPPED stored ${bytes}, not the trigger's payload ${JSON.stringify(PAYLOAD)}`);
			for (const key of ['ackToken', 'payload']) expect(!bytes.includes(key), `the stored message contains "${key}": ${bytes}`);
		},
		async after(s) {
			await s.page.getByTestId('ndv-close-button').click();
			await editor.ndv(s.page).waitFor({ state: 'hidden' });
		},
	},
	{
		name: 'the workflow on the canvas',
		screenshot: '10-workflow.png',
		async run(s) {
			await s.page.getByTestId('zoom-to-fit').click();
			for (const name of ['JetStream Trigger', 'Publish a message']) {
				await s.page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`).waitFor();
			}
		},
	},
];

const results = [];

async function main() {
	const started = Date.now();
	mkdirSync(SCREENSHOTS, { recursive: true });
	rmSync(FAILURES, { recursive: true, force: true });
	mkdirSync(FAILURES, { recursive: true });
	const runtime = ensureRuntime();
	const work = mkdtempSync(join(tmpdir(), 'n8n-jetstream-browser-'));
	const s = { work, shot: (file) => s.page.screenshot({ path: join(SCREENSHOTS, file) }) };
	const cleanup = async (signal) => {
		await Promise.race([s.browser?.close(), new Promise((r) => setTimeout(r, 10_000))]).catch(() => undefined);
		await s.nc?.close().catch(() => undefined);
		await emptyServer.cleanup(s, signal);
		await s.n8n?.stop(signal);
		await s.nats?.stop(signal);
		rmSync(work, { recursive: true, force: true });
	};
	const watchdog = setTimeout(() => {
		console.log(`\nbrowser: the run passed its limit of ${RUN_LIMIT_MS / 1000} s; stopping everything`);
		cleanup('SIGKILL').finally(() => process.exit(1));
	}, RUN_LIMIT_MS);
	try {
		s.nats = await startNats({ dir: join(work, 'nats') });
		const userFolder = join(work, 'n8n');
		installPackage(userFolder);
		s.n8n = new N8n(runtime, userFolder, await freePort());
		await s.n8n.start();
		await s.n8n.signIn();
		s.nc = await connect({ servers: s.nats.url });
		s.jsm = await jetstreamManager(s.nc);
		s.js = jetstream(s.nc);
		await s.jsm.streams.add({ name: 'ORDERS', subjects: ['orders.>'] });
		await s.jsm.streams.add({ name: 'SHIPPED', subjects: ['shipped.>'] });
		Object.assign(s, await editor.launchBrowser());
		console.log(`\nbrowser: n8n ${runtime.n8n.dir.split('-').pop()}, nats-server ${s.nats.version}, Chromium ${s.browser.version()}, ready in ${Date.now() - started} ms`);
		Object.assign(s, { credentialName: GOOD_CREDENTIAL, dayStream: 'ORDERS' });
		for (const step of [...steps, ...day.steps, ...emptyServer.steps]) {
			if (results.some((r) => !r.ok)) {
				results.push({ name: step.name, skipped: true });
				console.log(`  - ${step.name} (skipped)`);
			} else {
				results.push(await editor.runStep(step, s, { root: ROOT, screenshots: SCREENSHOTS, failures: FAILURES }));
			}
		}
	} catch (error) {
		results.push({ name: 'setting up n8n, nats-server and Chromium', ok: false, error });
		console.log(`  ✕ setting up n8n, nats-server and Chromium: ${error.stack ?? error}`);
	} finally {
		if (results.some((r) => r.ok === false) && s.n8n) console.log(`n8n log (tail):\n${s.n8n.log.slice(-2500)}`);
		await cleanup('SIGTERM');
		clearTimeout(watchdog);
	}
	const failed = results.filter((r) => r.ok === false).length;
	const skipped = results.filter((r) => r.skipped).length;
	const passed = results.length - failed - skipped;
	console.log(`\nbrowser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
	console.log(`in ${Math.round((Date.now() - started) / 1000)} s; screenshots in ${SCREENSHOTS}`);
	process.exit(failed ? 1 : 0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
