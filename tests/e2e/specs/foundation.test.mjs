// The first vertical thread: the server serves the built widget, the widget reads ?token=,
// calls the server through its typed client and renders what came back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openBrowser } from '../lib/browser.mjs';
import { createOnetimeFlow } from '../lib/integrator.mjs';
import { startServer } from '../lib/server.mjs';

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

test('the widget opened without a token explains that the link is incomplete', async () => {
  const { page } = browser;
  await page.goto(`${server.base}/`);
  await page.getByTestId('error-missing-token').waitFor({ timeout: 15_000 });
  assert.deepEqual(browser.consoleErrors, []);
});

test('before the session the widget speaks the browser language it knows', async () => {
  const french = await openBrowser({ locale: 'fr-FR' });
  try {
    await french.page.goto(`${server.base}/`);
    await french.page.getByTestId('error-missing-token').waitFor({ timeout: 15_000 });
    assert.equal(await french.page.getAttribute('html', 'lang'), 'fr');
  } finally {
    await french.close();
  }
});

test('a token the server does not know shows the used-or-expired link page and leaves the address bar', async () => {
  const { page } = browser;
  await page.goto(`${server.base}/?token=this-token-was-never-issued`);
  await page.getByTestId('error-link-invalid').waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).search, '', 'the token must leave the address bar');
  await browser.screenshot('error-link-invalid');
});

test('a fresh link opens a widget session once; opening it again shows the used-link page', async () => {
  const { page } = browser;
  const { location } = await createOnetimeFlow(server.base);
  await page.goto(location);
  // The session answered with the flow: no bank preset, so the widget asks for the bank.
  await page.getByTestId('bank-search-input').waitFor({ timeout: 15_000 });
  assert.equal(new URL(page.url()).search, '', 'the token must leave the address bar');

  await page.goto(location);
  await page.getByTestId('error-link-invalid').waitFor({ timeout: 15_000 });
});

test('the widget page runs its own code under a strict policy and refuses injected scripts', async () => {
  const { page } = browser;
  browser.consoleErrors.length = 0;
  await page.goto(`${server.base}/`);
  await page.getByTestId('error-missing-token').waitFor({ timeout: 15_000 });
  assert.deepEqual(browser.consoleErrors, [], 'the widget itself needs nothing the policy forbids');
  const injected = await page.evaluate(() => {
    const script = document.createElement('script');
    script.textContent = 'window.__injected = true;';
    document.head.appendChild(script);
    return window.__injected === true;
  });
  assert.equal(injected, false, 'an injected inline script must not run');
  await page.waitForTimeout(200);
  assert.ok(browser.consoleErrors.some((e) => e.includes('script-src')), JSON.stringify(browser.consoleErrors));
  browser.consoleErrors.length = 0;
});
