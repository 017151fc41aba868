// A real bank from the catalog over FinTS (contract §9): the end-user finds DKB, logs in,
// chooses a TAN method, passes a chipTAN flicker challenge or a decoupled approval in the
// banking app, chooses accounts; the integrator reads them. DKB's FinTS URL points at the
// scripted FinTS test bank on loopback (--fints-url), the only fake in the chain.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { openBrowser } from '../lib/browser.mjs';
import { startFintsBank } from '../lib/fints-bank.mjs';
import { createOnetimeFlow, dataApi, exchangeCode } from '../lib/integrator.mjs';
import { startServer } from '../lib/server.mjs';
import { Widget, redirectQuery } from '../lib/widget.mjs';

let bank;
let server;
let browser;
let page;
let widget;
before(async () => {
  bank = await startFintsBank();
  server = await startServer({
    env: {
      KONTOLINK_FINTS_PRODUCT_ID: 'KONTOLINKE2ETEST',
      KONTOLINK_FINTS_URLS: `12030000=${bank.url}`,
    },
  });
  browser = await openBrowser();
  page = browser.page;
  widget = new Widget(page);
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await bank?.stop();
});
beforeEach(() => {
  browser.consoleErrors.length = 0;
});

async function openDkbAndLogIn() {
  const { location } = await createOnetimeFlow(server.base, { sync_period: 30 });
  await page.goto(location);
  await widget.el('bank-search-input').fill('DKB');
  await widget.el('bank-result-de-12030000').click({ timeout: 20_000 });
  await widget.waitFor('credential-login');
  assert.equal(await widget.el('credential-customer_id').count(), 1, 'the optional customer id');
  await widget.el('credential-login').fill('erika');
  await widget.el('credential-pin').fill('geheim');
  await browser.screenshot('11-fints-login');
  await widget.el('submit').click();
  await widget.waitFor('challenge-auth_method_select', 30_000);
  await browser.screenshot('11-fints-method');
}

async function finishAndRead() {
  const offered = await widget.completeWithAccounts();
  assert.equal(offered, 2, 'the giro and the savings account');
  const query = await redirectQuery(page, server.base);
  assert.equal(query.success, 'true');
  const token = await exchangeCode(server.base, query.code);
  const { body } = await dataApi(server.base, token.access_token, '/rest/accounts');
  const giro = body.accounts.find((a) => a.name === 'Girokonto');
  assert.ok(giro, JSON.stringify(body));
  assert.equal(giro.balance.balance, '1523.42');
  const { body: list } = await dataApi(server.base, token.access_token, `/rest/accounts/${giro.id}/transactions`);
  // Two statement pages and a pending entry.
  assert.equal(list.transactions.length, 4, JSON.stringify(list));
  assert.equal(list.transactions.filter((t) => !t.booked).length, 1);
  assert.deepEqual(browser.consoleErrors, []);
}

test('DKB over FinTS: choose chipTAN, read the flicker code, enter the TAN', async () => {
  await openDkbAndLogIn();
  await page.locator('[data-testid="method-972"]').check();
  await widget.el('submit').click();
  await widget.waitFor('flicker-canvas', 30_000);
  await browser.screenshot('11-fints-flicker');
  await widget.enterTan();
  await finishAndRead();
});

test('DKB over FinTS: choose pushTAN and approve in the banking app', async () => {
  await openDkbAndLogIn();
  await page.locator('[data-testid="method-921"]').check();
  await widget.el('submit').click();
  await widget.waitFor('challenge-decoupled', 30_000);
  await browser.screenshot('11-fints-decoupled');
  await finishAndRead();
});
