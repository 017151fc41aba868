// The end-user's flow in a redirect window, driven through every scenario of the sandbox
// bank (contract §6) against the real server, and back to the integrator (§5.7).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { openBrowser } from '../lib/browser.mjs';
import { createOnetimeFlow, dataApi, exchangeCode } from '../lib/integrator.mjs';
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
beforeEach(() => {
  browser.consoleErrors.length = 0;
});

async function openAndLogIn(login, pin) {
  const { location } = await createOnetimeFlow(server.base);
  await page.goto(location);
  await widget.chooseSandboxBank();
  await widget.logIn(login, pin);
}

async function finishSuccessfully() {
  await widget.completeWithAccounts();
  const query = await redirectQuery(page, server.base);
  assert.equal(query.success, 'true');
  assert.equal(query.state, 'e2e-state');
  assert.match(query.code, /.{20,}/);
  assert.deepEqual(browser.consoleErrors, []);
  return query;
}

test('demo: no challenge, the accounts are chosen and the code comes back', async () => {
  const { location } = await createOnetimeFlow(server.base);
  await page.goto(location);
  await widget.waitFor('bank-search-input');
  await browser.screenshot('01-bank-search');
  await widget.chooseSandboxBank();
  await browser.screenshot('02-credentials');
  await widget.logIn('demo');
  await widget.waitFor('accounts', 60_000);
  const focused = await page.evaluate(() => document.activeElement?.tagName);
  assert.equal(focused, 'H1', "focus moves to the new step's heading");
  await browser.screenshot('07-accounts');
  await finishSuccessfully();
});

test('the code from the widget is exchanged for tokens that read the chosen accounts', async () => {
  await openAndLogIn('demo');
  const { code } = await finishSuccessfully();
  const auth = 'Basic ' + Buffer.from('demo:demo-secret').toString('base64');
  const token = await fetch(`${server.base}/auth/token`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${server.base}/demo/callback` }),
  }).then((r) => r.json());
  assert.ok(token.access_token, JSON.stringify(token));
  const { accounts } = await fetch(`${server.base}/rest/accounts`, {
    headers: { authorization: `Bearer ${token.access_token}` },
  }).then((r) => r.json());
  assert.equal(accounts.length, 2, 'a giro and a savings account');
});

test('embedded: a wrong TAN is refused in place, the right one passes', async () => {
  await openAndLogIn('embedded');
  await widget.waitFor('challenge-embedded');
  await browser.screenshot('04-challenge-tan');
  await widget.enterTan('000000');
  await widget.waitFor('error-tan-invalid');
  const retry = widget.el('retry');
  if (await retry.count()) await retry.click();
  await widget.enterTan('123456');
  await finishSuccessfully();
});

test('photo: the photoTAN image is shown and the TAN accepted', async () => {
  await openAndLogIn('photo');
  await widget.waitFor('challenge-photo');
  const src = await widget.el('challenge-photo').getAttribute('src');
  assert.match(src, /^data:image\/png;base64,/);
  const width = await widget.el('challenge-photo').evaluate((img) => img.naturalWidth);
  assert.ok(width > 0, 'the PNG decodes');
  await browser.screenshot('04-challenge-photo');
  await widget.enterTan();
  await finishSuccessfully();
});

test('flicker: the HHD code is animated with size and speed controls', async () => {
  await openAndLogIn('flicker');
  await widget.waitFor('flicker-canvas');
  const canvas = widget.el('flicker-canvas');
  assert.ok((await canvas.getAttribute('data-code')).length > 10);
  const width = Number(await canvas.getAttribute('data-width'));
  const speed = Number(await canvas.getAttribute('data-speed'));
  // The five bars flicker: sampled over a second, the canvas shows changing white bars.
  const samples = await canvas.evaluate(async (element) => {
    const seen = new Set();
    for (let i = 0; i < 20; i += 1) {
      const { data } = element.getContext('2d').getImageData(0, 0, element.width, element.height);
      let white = 0;
      for (let p = 0; p < data.length; p += 4) if (data[p] > 200 && data[p + 1] > 200) white += 1;
      seen.add(white);
      await new Promise((r) => setTimeout(r, 50));
    }
    return [...seen];
  });
  assert.ok(samples.length > 2 && samples.some((white) => white > 0), `animated bars: ${samples}`);
  await widget.el('flicker-larger').click();
  await widget.el('flicker-faster').click();
  assert.ok(Number(await canvas.getAttribute('data-width')) > width, 'larger');
  assert.ok(Number(await canvas.getAttribute('data-speed')) > speed, 'faster');
  await browser.screenshot('04-challenge-flicker');
  await widget.enterTan();
  await finishSuccessfully();
});

test('methods: a TAN method, then a medium, then the TAN', async () => {
  await openAndLogIn('methods');
  await widget.waitFor('challenge-auth_method_select');
  await browser.screenshot('05-method-select');
  await page.locator('[data-testid^="method-"]').first().check();
  await widget.el('submit').click();
  await widget.waitFor('challenge-auth_medium_select');
  await browser.screenshot('05-medium-select');
  await page.locator('[data-testid^="medium-"]').first().check();
  await widget.el('submit').click();
  await widget.enterTan();
  await finishSuccessfully();
});

test('decoupled: the widget waits for the approval in the banking app', async () => {
  await openAndLogIn('decoupled');
  await widget.waitFor('challenge-decoupled');
  await browser.screenshot('05-decoupled');
  await finishSuccessfully();
});

test('redirect: to the bank page, approve, and back into the flow', async () => {
  await openAndLogIn('redirect');
  await widget.waitFor('redirect-continue');
  await browser.screenshot('05-redirect');
  await widget.el('redirect-continue').click();
  await page.locator('[data-testid="sandbox-approve"]').click({ timeout: 20_000 });
  await finishSuccessfully();
});

test('multi: two challenges in a row', async () => {
  await openAndLogIn('multi');
  await widget.waitFor('tan-input');
  const first = await widget.el('tan-input').elementHandle();
  await widget.enterTan();
  // The second challenge comes with a form of its own: until the first one has left the
  // page, its field is still there to be found (and filled in vain).
  await first.waitForElementState('hidden', { timeout: 60_000 });
  await widget.enterTan();
  await finishSuccessfully();
});

test('slow: progress shows what the engine is doing', async () => {
  await openAndLogIn('slow');
  await widget.waitFor('progress');
  const live = await widget.el('progress').getAttribute('aria-live');
  assert.ok(live === 'polite' || live === 'assertive', 'progress is announced');
  await browser.screenshot('03-progress');
  await finishSuccessfully();
});

test('flaky: transient bank errors are retried and the flow completes', async () => {
  await openAndLogIn('flaky');
  await finishSuccessfully();
});

test('wrong PIN: the form comes back with a message and the retry succeeds', async () => {
  await openAndLogIn('demo', 'wrong');
  await widget.waitFor('error-credentials-invalid');
  assert.equal(await widget.el('credential-login').inputValue(), 'demo', 'the login is kept');
  await widget.el('credential-pin').fill('1234');
  await widget.el('submit').click();
  await finishSuccessfully();
});

test('locked: the end-user closes and the integrator gets error 10012', async () => {
  await openAndLogIn('locked');
  await widget.waitFor('error-locked');
  await browser.screenshot('06-error-locked');
  await widget.el('close').click();
  const query = await redirectQuery(page, server.base);
  assert.deepEqual(query, { state: 'e2e-state', success: 'false', error: '10012' });
});

test('cancel: confirmed at the bank search, the integrator gets cancel=true', async () => {
  const { location } = await createOnetimeFlow(server.base);
  await page.goto(location);
  await widget.waitFor('bank-search-input');
  await widget.cancel();
  const query = await redirectQuery(page, server.base);
  assert.deepEqual(query, { state: 'e2e-state', success: 'false', cancel: 'true' });
});

test('a prefilled IBAN of the sandbox bank skips bank selection', async () => {
  const { location } = await createOnetimeFlow(server.base, { accounts: [{ id: 'DE82900948150000002881' }] });
  await page.goto(location);
  await widget.waitFor('credential-login');
  assert.equal(await widget.el('bank-search-input').count(), 0, 'no bank search');
  await widget.logIn('demo');
  await finishSuccessfully();
});

test('english: every string of the flow comes from the English table', async () => {
  const { location } = await createOnetimeFlow(server.base, { language: 'en' });
  await page.goto(location);
  await widget.waitFor('bank-search-input');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
});

test('at 320 px wide nothing scrolls sideways', async () => {
  await page.setViewportSize({ width: 320, height: 700 });
  try {
    await openAndLogIn('flicker');
    await widget.waitFor('flicker-canvas');
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scrollWidth <= 320, `scrollWidth ${scrollWidth}`);
    await browser.screenshot('08-narrow-320');
  } finally {
    await page.setViewportSize({ width: 480, height: 800 });
  }
});

test('reconnect: an unattended sync needs the end-user (10020); the reconnect flow syncs that same access', async () => {
  await openAndLogIn('embedded');
  await widget.enterTan();
  const { code } = await finishSuccessfully();
  const { access_token: token } = await exchangeCode(server.base, code);
  const { body: before } = await dataApi(server.base, token, '/rest/accounts');
  const accessId = before.accounts[0].access_id;

  // The integrator syncs without the end-user; the bank asks for a TAN.
  const started = await dataApi(server.base, token, `/rest/accesses/${accessId}/syncs`, {
    method: 'POST',
    body: JSON.stringify({ credentials: { login: 'embedded', pin: '1234' } }),
  });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  let sync = started.body;
  const deadline = Date.now() + 30_000;
  while (!['COMPLETED', 'FAILED'].includes(sync.status) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    sync = (await dataApi(server.base, token, `/rest/accesses/${accessId}/syncs/${sync.id}`)).body;
  }
  assert.equal(sync.status, 'FAILED');
  assert.equal(sync.error.code, 10020);

  // The integrator reconnects that access through the widget.
  const { location } = await createOnetimeFlow(server.base, { access_id: accessId });
  await page.goto(location);
  await widget.waitFor('credential-login');
  assert.equal(await widget.el('change-bank').count(), 0, 'the bank is fixed for a reconnect');
  await widget.logIn('embedded');
  await widget.enterTan();
  const again = await finishSuccessfully();
  const { access_token: second } = await exchangeCode(server.base, again.code);
  const { body: accesses } = await dataApi(server.base, second, '/rest/accesses');
  assert.deepEqual(accesses.accesses.map((a) => a.id), [accessId], 'no second access was created');
});

// upgrade1–3: the first sync is fine; the next one meets the bank's move to its PSD2
// interface. Here that next sync is the reconnect flow's own: the widget asks the end-user
// to log in once more and syncs every access the accounts moved to.
for (const [login, code, screenshot] of [['upgrade1', 40001, '08-upgrade'], ['upgrade2', 40002], ['upgrade3', 40003]]) {
  test(`${login}: the next sync meets access upgrade ${code}; the widget follows the accounts to their new accesses`, async () => {
    await openAndLogIn(login);
    const first = await finishSuccessfully();
    const { access_token: token } = await exchangeCode(server.base, first.code);
    const { body: before } = await dataApi(server.base, token, '/rest/accounts');
    assert.equal(before.accounts.length, 2);
    const oldAccess = before.accounts[0].access_id;

    const { location } = await createOnetimeFlow(server.base, { access_id: oldAccess });
    await page.goto(location);
    await widget.logIn(login);
    await widget.waitFor('notice-bank-upgraded', 30_000);
    if (screenshot) await browser.screenshot(screenshot);
    await widget.logIn(login);
    const offered = await widget.completeWithAccounts();
    const query = await redirectQuery(page, server.base);
    assert.equal(query.success, 'true');
    assert.deepEqual(browser.consoleErrors, []);

    const { access_token: second } = await exchangeCode(server.base, query.code);
    const { body: after } = await dataApi(server.base, second, '/rest/accounts');
    assert.deepEqual(after.accounts.map((a) => a.id).sort(), before.accounts.map((a) => a.id).sort(),
      'the same accounts, none twice');
    const moved = after.accounts.filter((a) => a.access_id !== oldAccess);
    assert.equal(moved.length, code === 40003 ? 1 : 2);
    assert.equal(offered, 2, 'every account of the upgraded access is offered');
    const { body: accesses } = await dataApi(server.base, second, '/rest/accesses');
    const old = accesses.accesses.find((a) => a.id === oldAccess);
    assert.equal(old.status, code === 40003 ? 'ACTIVE' : 'UPGRADE_REQUIRED');
    assert.equal(accesses.accesses.length, code === 40002 ? 3 : 2);
  });
}

test("upgrade1 met by the integrator's own sync: the reconnect flow opens on the new access's login", async () => {
  await openAndLogIn('upgrade1');
  const first = await finishSuccessfully();
  const { access_token: token } = await exchangeCode(server.base, first.code);
  const { body: before } = await dataApi(server.base, token, '/rest/accounts');
  const oldAccess = before.accounts[0].access_id;
  const started = await dataApi(server.base, token, `/rest/accesses/${oldAccess}/syncs`, {
    method: 'POST',
    body: JSON.stringify({ credentials: { login: 'upgrade1', pin: '1234' }, psu_ip_address: '192.0.2.1' }),
  });
  let sync = started.body;
  const deadline = Date.now() + 30_000;
  while (!['COMPLETED', 'FAILED'].includes(sync.status) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    sync = (await dataApi(server.base, token, `/rest/accesses/${oldAccess}/syncs/${sync.id}`)).body;
  }
  assert.equal(sync.error?.code, 40001, JSON.stringify(sync));

  const { location } = await createOnetimeFlow(server.base, { access_id: oldAccess });
  await page.goto(location);
  await widget.waitFor('notice-bank-upgraded');
  assert.equal(await widget.el('access-method').locator('option:checked').textContent(), 'PSD2 API');
  await widget.logIn('upgrade1');
  assert.equal(await widget.completeWithAccounts(), 2);
  const query = await redirectQuery(page, server.base);
  const { access_token: second } = await exchangeCode(server.base, query.code);
  const { body: after } = await dataApi(server.base, second, '/rest/accounts');
  assert.deepEqual(after.accounts.map((a) => a.id).sort(), before.accounts.map((a) => a.id).sort());
  assert.ok(after.accounts.every((a) => a.access_id === sync.error.data.access_ids[0]));
});
