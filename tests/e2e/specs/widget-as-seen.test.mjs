// The widget as a person sees it (issue 10, item 8): account types in the flow's language,
// the same order of accounts in every flow, an honest count in the bank search, one way out
// of the error page, and the sandbox bank's method and medium pages in the flow's language.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser } from '../lib/browser.mjs';
import { createOnetimeFlow } from '../lib/integrator.mjs';
import { startServer } from '../lib/server.mjs';
import { Widget, redirectQuery } from '../lib/widget.mjs';

let server;
let browser;
let page;
let widget;
before(async () => {
  server = await startServer();
  browser = await openBrowser();
  page = browser.page;
  widget = new Widget(page);
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function openAndLogIn(login, body = {}) {
  const { location } = await createOnetimeFlow(server.base, body);
  await page.goto(location);
  await widget.chooseSandboxBank();
  await widget.logIn(login);
}

/** The account page's lines "IBAN · type", top to bottom. */
async function accountDetails() {
  await widget.waitFor('accounts', 60_000);
  return widget.el('account-details').allTextContents();
}

const GIRO_SAVINGS = {
  de: ['Girokonto', 'Sparkonto'],
  fr: ['Compte courant', 'Compte d’épargne'],
  es: ['Cuenta corriente', 'Cuenta de ahorro'],
  en: ['Current account', 'Savings account'],
};

for (const [language, [giro, savings]] of Object.entries(GIRO_SAVINGS)) {
  test(`${language}: the account types are in the flow's language, giro first`, async () => {
    await openAndLogIn('demo', { language });
    const details = await accountDetails();
    assert.equal(details.length, 2, JSON.stringify(details));
    assert.ok(details[0].endsWith(` · ${giro}`), JSON.stringify(details));
    assert.ok(details[1].endsWith(` · ${savings}`), JSON.stringify(details));
    if (language !== 'en') {
      assert.ok(details.every((d) => !/Giro account|Savings account/.test(d)), 'no wire names');
    }
  });
}

test('the accounts come in the same order in every flow, giro first', async () => {
  // Each flow stores the same bank login's accounts anew, with new random ids: the server
  // lists them in a different order from flow to flow.
  for (let flow = 0; flow < 5; flow += 1) {
    await openAndLogIn('demo');
    await widget.waitFor('accounts', 60_000);
    const labels = await page.locator('[data-testid="accounts"] label').allTextContents();
    assert.equal(labels.length, 2, JSON.stringify(labels));
    assert.match(labels[0], /^Girokonto/, `flow ${flow}: ${JSON.stringify(labels)}`);
    assert.match(labels[1], /^Tagesgeld/, `flow ${flow}: ${JSON.stringify(labels)}`);
  }
});

test('the bank search says when it shows only the first of many matches, and announces it', async () => {
  const { location } = await createOnetimeFlow(server.base);
  await page.goto(location);
  const status = widget.el('bank-search-status');
  await widget.el('bank-search-input').fill('Sparkasse');
  await page.waitForFunction(() => /Treffer/.test(document.querySelector('#kl-bank-status')?.textContent ?? ''),
    null, { timeout: 20_000 });
  const text = await status.textContent();
  const [, shown, total] = text.match(/^Die ersten (\d+) von (\d+) Treffern\./) ?? [];
  assert.equal(shown, '20', text);
  assert.ok(Number(total) > 20, text);
  assert.equal(await page.locator('[data-testid^="bank-result-"]').count(), 20);
  assert.equal(await status.getAttribute('aria-live'), 'polite');
  assert.equal(await status.getAttribute('role'), 'status');

  await widget.el('bank-search-input').fill('Kontolink Sandbox');
  await page.waitForFunction(() => /^1 Bank gefunden/.test(document.querySelector('#kl-bank-status')?.textContent ?? ''),
    null, { timeout: 20_000 });
});

test('the error page has one way out, reached by keyboard, and it ends the flow as failed', async () => {
  await openAndLogIn('locked');
  await widget.waitFor('error-locked');
  assert.equal(await widget.el('cancel').count(), 0, 'no "Abbrechen" beside "Schließen"');
  assert.equal(await widget.el('close').textContent(), 'Schließen');
  // Focus is on the heading; the next Tab reaches the one button.
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'close');
  await page.keyboard.press('Enter');
  const query = await redirectQuery(page, server.base);
  assert.deepEqual(query, { state: 'e2e-state', success: 'false', error: '10012' });
});

test('methods in German: the method and medium pages speak German only', async () => {
  await openAndLogIn('methods');
  await widget.waitFor('challenge-auth_method_select');
  const methods = widget.el('challenge-auth_method_select');
  assert.equal(await methods.locator('h1').textContent(), 'TAN-Verfahren wählen');
  assert.doesNotMatch(await methods.innerText(), /Choose|method|device/i);
  await page.locator('[data-testid^="method-"]').first().check();
  await widget.el('submit').click();
  await widget.waitFor('challenge-auth_medium_select');
  const media = widget.el('challenge-auth_medium_select');
  assert.equal(await media.locator('h1').textContent(), 'TAN-Medium wählen');
  assert.doesNotMatch(await media.innerText(), /Choose|method|device/i);
});
