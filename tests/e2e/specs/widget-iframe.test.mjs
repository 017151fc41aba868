// The overlay: the demo integrator page opens the widget with /kontolink.js in an iframe;
// the widget posts exactly one message to the integrator's origin, and a page on an
// unregistered origin cannot frame it (contract §5.7, §8).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { openBrowser } from '../lib/browser.mjs';
import { createOnetimeFlow } from '../lib/integrator.mjs';
import { startServer } from '../lib/server.mjs';
import { TIMEOUT, Widget } from '../lib/widget.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('overlay: one message to the integrator origin, then the demo shows the accounts', async () => {
  const { page } = browser;
  browser.consoleErrors.length = 0;
  const messages = [];
  await page.exposeFunction('__recordMessage', (message) => messages.push(message));
  // Record every message any frame of the integrator page receives, across navigations.
  await page.addInitScript(() => {
    if (window.top === window) {
      window.addEventListener('message', (event) => {
        window.__recordMessage({ origin: event.origin, data: event.data });
      });
    }
  });
  await page.goto(`${server.base}/demo`);
  await page.getByTestId('demo-overlay').click();
  await page.getByTestId('kontolink-overlay').waitFor({ timeout: TIMEOUT });
  const widget = new Widget(page.frameLocator('[data-testid="kontolink-iframe"]'));
  await widget.chooseSandboxBank();
  await browser.screenshot('09-overlay');
  await widget.logIn('demo');
  await widget.completeWithAccounts();
  await page.waitForURL((url) => url.pathname === '/demo/callback', { timeout: 60_000 });
  await page.getByTestId('demo-accounts').waitFor({ timeout: TIMEOUT });
  assert.equal(await page.getByTestId('demo-account').count(), 2);
  assert.ok((await page.getByTestId('demo-transaction').count()) > 0, 'latest transactions shown');
  await browser.screenshot('10-demo-callback');

  const fromWidget = messages.filter((m) => m.data && typeof m.data === 'object' && 'link' in m.data);
  assert.equal(fromWidget.length, 1, `exactly one message: ${JSON.stringify(messages)}`);
  const [message] = fromWidget;
  assert.equal(message.origin, server.base, 'sent from the widget origin');
  assert.equal(message.data.link, `${server.base}/demo/callback`);
  assert.equal(message.data.query.success, 'true');
  assert.match(message.data.query.code, /.{20,}/);
  assert.deepEqual(browser.consoleErrors, [], 'no page error or CSP violation in the page or the widget frame');
});

test('overlay: the redirect challenge opens the bank in a popup and the flow goes on', async () => {
  const page = await browser.context.newPage();
  const messages = [];
  await page.exposeFunction('__recordPopupFlowMessage', (message) => messages.push(message));
  await page.addInitScript(() => {
    if (window.top === window) {
      window.addEventListener('message', (event) => {
        window.__recordPopupFlowMessage({ origin: event.origin, data: event.data });
      });
    }
  });
  try {
    await page.goto(`${server.base}/demo`);
    await page.getByTestId('demo-overlay').click();
    const widget = new Widget(page.frameLocator('[data-testid="kontolink-iframe"]'));
    await widget.chooseSandboxBank();
    await widget.logIn('redirect');
    await widget.waitFor('redirect-continue');
    const [bank] = await Promise.all([
      browser.context.waitForEvent('page', { timeout: TIMEOUT }),
      widget.el('redirect-continue').click(),
    ]);
    await bank.getByTestId('sandbox-approve').click({ timeout: TIMEOUT });
    // Back on the widget's address the popup says so and closes itself.
    await bank.waitForEvent('close', { timeout: TIMEOUT });
    await widget.completeWithAccounts();
    await page.waitForURL((url) => url.pathname === '/demo/callback', { timeout: 60_000 });
    await page.getByTestId('demo-accounts').waitFor({ timeout: TIMEOUT });
    const fromWidget = messages.filter((m) => m.data && typeof m.data === 'object' && 'link' in m.data);
    assert.equal(fromWidget.length, 1, `exactly one message: ${JSON.stringify(messages)}`);
    assert.equal(fromWidget[0].origin, server.base);
    assert.equal(fromWidget[0].data.query.success, 'true');
    assert.equal(page.url().startsWith(`${server.base}/demo/callback`), true);
  } finally {
    await page.close();
  }
});

test('overlay: Escape inside the widget asks to cancel, and confirming ends the flow as cancelled', async () => {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${server.base}/demo`);
    await page.getByTestId('demo-overlay').click();
    const widget = new Widget(page.frameLocator('[data-testid="kontolink-iframe"]'));
    await widget.chooseSandboxBank();
    // The focus is inside the widget (its step heading): the host page never sees the key.
    await page.keyboard.press('Escape');
    await widget.waitFor('cancel-dialog');
    await page.keyboard.press('Escape');
    assert.equal(await widget.el('cancel-dialog').count(), 0, 'Escape in the dialog closes it');
    await page.keyboard.press('Escape');
    await widget.el('cancel-confirm').click();
    await page.getByTestId('kontolink-overlay').waitFor({ state: 'detached', timeout: TIMEOUT });
    assert.equal(await page.getByTestId('demo-result').textContent(), 'Cancelled.');
  } finally {
    await page.close();
  }
});

test('redirect window from the demo page: back on the callback with the accounts', async () => {
  const { page } = browser;
  await page.goto(`${server.base}/demo?iban=DE82900948150000002881`);
  await page.getByTestId('demo-redirect').click();
  const widget = new Widget(page);
  await widget.waitFor('credential-login');
  await widget.logIn('demo');
  await widget.completeWithAccounts();
  await page.getByTestId('demo-accounts').waitFor({ timeout: 60_000 });
});

test('a page on an unregistered origin cannot frame the widget', async () => {
  const { location } = await createOnetimeFlow(server.base);
  const framing = createServer((_, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<!doctype html><iframe id="w" src="${location}" width="400" height="600"></iframe>`);
  });
  await new Promise((resolve) => framing.listen(0, '127.0.0.1', resolve));
  // localhost is another origin than 127.0.0.1, the origin the demo client registered.
  const evil = `http://localhost:${framing.address().port}/`;
  try {
    const { page } = browser;
    const answer = await fetch(location);
    assert.match(answer.headers.get('content-security-policy'), new RegExp(`frame-ancestors ${server.base}$`));
    await page.goto(evil);
    await page.waitForTimeout(3000);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    assert.ok(frame, 'the iframe element exists');
    const rendered = await frame.locator('[data-testid="widget"]').count().catch(() => 0);
    assert.equal(rendered, 0, 'the widget must not render inside a foreign frame');
  } finally {
    framing.close();
  }
});
