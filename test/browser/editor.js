'use strict';
/**
 * The n8n 2.x editor in the words a user would use: sign in, create a credential, add a node from
 * the nodes panel, pick from a list. Selectors are roles, labels and the editor's own data-test-id
 * attributes (checked against n8n-editor-ui 2.41.1's bundle), never CSS classes or positions.
 */
const { existsSync } = require('node:fs');
const { join, relative } = require('node:path');
const { chromium, selectors } = require('playwright-core');

/** Debian's Chromium; playwright-core downloads no browser of its own. */
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
/** One click, fill or wait; navigation has its own (the editor's first load compiles ~40 MB of scripts). */
const ACTION_TIMEOUT_MS = 15_000;
const NAVIGATION_TIMEOUT_MS = 60_000;

selectors.setTestIdAttribute('data-test-id');

async function launchBrowser() {
	if (!existsSync(CHROMIUM)) {
		throw new Error(`No Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set CHROMIUM_BIN)`);
	}
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
		timeout: 30_000,
	});
	const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
	const page = await context.newPage();
	page.setDefaultTimeout(ACTION_TIMEOUT_MS);
	page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);
	return { browser, page };
}

/** The login page, filled and sent; resolves once the editor left it. */
async function signIn(page, base, { email, password }, beforeSubmit = async () => undefined) {
	await page.goto(`${base}/signin`, { waitUntil: 'domcontentloaded' });
	await page.getByTestId('signin-form').waitFor();
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Password').fill(password);
	await beforeSubmit();
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: NAVIGATION_TIMEOUT_MS });
}

/** "+" in the sidebar → a "New …" entry ("New credential", "New workflow"). */
async function universalAdd(page, entry) {
	await page.getByTestId('universal-add').click();
	await page.getByRole('menuitem', { name: entry }).click();
}

/**
 * "New credential": the type picked by searching its display name, the name and Servers filled,
 * saved. n8n tests the credential on save; returns the dialog so the caller can read the verdict.
 */
async function createCredential(page, { typeDisplayName, name, servers }) {
	await universalAdd(page, 'New credential');
	await page.getByTestId('new-credential-type-select').click();
	await page.keyboard.type(typeDisplayName);
	await page.getByRole('option', { name: typeDisplayName, exact: true }).click();
	await page.getByTestId('new-credential-type-button').click();
	const dialog = page.getByTestId('editCredential-modal');
	await dialog.getByTestId('credential-name').click();
	await dialog.getByTestId('inline-edit-input').fill(name);
	await dialog.getByTestId('inline-edit-input').press('Enter');
	await dialog.getByTestId('parameter-input-servers').locator('input').fill(servers);
	await dialog.getByTestId('credential-save-button').click();
	return dialog;
}

async function closeDialog(page, dialog) {
	await page.keyboard.press('Escape');
	await dialog.waitFor({ state: 'hidden' });
}

/** Searches the open nodes panel; returns the names it lists. */
async function searchNodesPanel(page, term) {
	const search = page.getByTestId('node-creator-search-bar');
	await search.fill(term);
	return page.getByTestId('node-creator-item-name');
}

const ndv = (page) => page.getByTestId('ndv');

/** A parameter's text input in the open node (plain string fields). */
const parameterInput = (page, name) => ndv(page).getByTestId(`parameter-input-${name}`).locator('input').first();

/** The open node's credential, chosen by name from its dropdown. */
async function chooseCredential(page, name) {
	const select = ndv(page).getByTestId('node-credentials-select');
	await select.click();
	await page.getByRole('option', { name: new RegExp(`^${name}\\b`) }).click();
	const shown = await select.locator('input').inputValue();
	if (shown !== name) throw new Error(`the credential field shows "${shown}", not "${name}"`);
}

/**
 * Which UI a parameter has: a resource locator (mode dropdown + value) or a plain text field.
 * Both render inside `parameter-input-<name>`; only the locator has `resource-locator-<name>`.
 */
async function parameterKind(page, name) {
	await ndv(page).getByTestId(`parameter-input-${name}`).first().waitFor();
	return (await ndv(page).getByTestId(`resource-locator-${name}`).count()) > 0 ? 'locator' : 'text';
}

/** A resource locator switched to the mode with this label ("From list", "By Name"). */
async function locatorMode(page, name, modeLabel) {
	const locator = ndv(page).getByTestId(`resource-locator-${name}`);
	const selector = locator.getByTestId('rlc-mode-selector');
	if ((await selector.locator('input').inputValue()) === modeLabel) return locator;
	await selector.click();
	await page.locator('[data-test-id^="mode-"]').filter({ hasText: modeLabel, visible: true }).click();
	const now = await selector.locator('input').inputValue();
	if (now !== modeLabel) throw new Error(`the ${name} field's mode is "${now}" after choosing "${modeLabel}"`);
	return locator;
}

/** Opens a locator's "From list" dropdown; the caller searches and picks through the returned helpers. */
async function openLocatorList(page, name) {
	const locator = await locatorMode(page, name, 'From list');
	await locator.getByTestId('rlc-input-container').click();
	const items = page.getByTestId('rlc-item').filter({ visible: true });
	return {
		locator,
		items,
		search: (term) => page.getByTestId('rlc-search').filter({ visible: true }).fill(term),
		// An item is the name, or the name and what it holds: "ORDERS (orders.>)".
		pick: (label) => items.filter({ hasText: new RegExp(`^\\s*${label}(\\s+\\(.*\\))?\\s*$`) }).click(),
	};
}

/**
 * A locator's typed name as n8n checks it while it is typed: the field's issue, read from the tooltip
 * of its issue icon (hovered, so a screenshot shows it). Empty when n8n flags nothing.
 */
async function typedNameIssue(page, name, value) {
	const locator = await locatorMode(page, name, 'By Name');
	await locator.getByTestId('rlc-input').fill(value);
	await locator.getByTestId('rlc-input').blur();
	const field = ndv(page).getByTestId(`parameter-input-${name}`).first();
	const icon = field.locator('[data-test-id="parameter-issues"]').first();
	if (!(await icon.isVisible().catch(() => false))) return '';
	await icon.hover();
	// The tooltip: "Issues: - Not a valid … name. <the rule>".
	const tooltip = page.getByText(/Not a valid/).filter({ visible: true }).first();
	return await tooltip.innerText({ timeout: 5_000 }).catch(() => 'flagged (no tooltip text found)');
}

/**
 * Runs one step: its screenshot on success; on failure a screenshot in `failures` and the page's
 * visible error text, printed. Returns the step's result.
 */
async function runStep(step, s, { root, screenshots, failures }) {
	const started = Date.now();
	try {
		await step.run(s);
		if (!step.shotTaken) await s.shot(step.screenshot);
		await step.after?.(s);
		console.log(`  ✓ ${step.name} (${Date.now() - started} ms)  ${relative(root, join(screenshots, step.screenshot))}`);
		return { name: step.name, ok: true };
	} catch (error) {
		const file = join(failures, `${step.screenshot.replace(/^\d+-/, 'failed-')}`);
		await s.page.screenshot({ path: file }).catch(() => undefined);
		const visible = await visibleErrors(s.page).catch(() => []);
		// Playwright colours its call log.
		const message = String(error.stack ?? error).replace(/\u001b\[\d+m/g, '');
		console.log(`  ✕ ${step.name} (${Date.now() - started} ms)\n    ${message.split('\n').slice(0, 6).join('\n    ')}`);
		console.log(`    screenshot: ${relative(root, file)}`);
		console.log(visible.length ? `    the page shows:\n      ${visible.join('\n      ')}` : '    the page shows no error text');
		return { name: step.name, ok: false, error };
	}
}

/**
 * What the page shows that looks like an error: toasts, alerts, a credential test's verdict, node and
 * parameter issues, a locator's "Could not load list". Printed when a step fails, so the log says
 * what the user would have seen.
 */
function visibleErrors(page) {
	return page.evaluate(() => {
		const selectors = [
			'.el-notification',
			'.el-message',
			'[role="alert"]',
			'.el-alert--error',
			'.el-tag--danger',
			'[data-test-id*="error"]',
			'[data-test-id*="issues"]',
		];
		const seen = new Set();
		for (const element of document.querySelectorAll(selectors.join(','))) {
			const text = element instanceof HTMLElement && element.offsetParent !== null ? element.innerText.trim() : '';
			if (text) seen.add(text.replace(/\s+/g, ' ').slice(0, 500));
		}
		return [...seen];
	});
}

module.exports = {
	launchBrowser,
	signIn,
	universalAdd,
	createCredential,
	closeDialog,
	searchNodesPanel,
	ndv,
	parameterInput,
	chooseCredential,
	parameterKind,
	locatorMode,
	openLocatorList,
	typedNameIssue,
	runStep,
	visibleErrors,
};
