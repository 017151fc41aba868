const { chromium } = require('playwright-core');
const fs = require('fs');
const T = (id) => `[data-testid="${id}"]`;
(async () => {
  const ctx = await chromium.launchPersistentContext(fs.mkdtempSync(require('path').join(require('os').tmpdir(), 'kl-profile-')), { executablePath: '/usr/bin/chromium', headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const p = await ctx.newPage();
  p.on('pageerror', e => console.log('pageerror', String(e)));
  await p.goto('http://localhost:8765/integrator.html');
  // 1. close button → onExit cancel
  await p.evaluate(() => window.open1());
  await p.waitForSelector(T('kontolink-overlay'));
  await p.evaluate(() => window.postMessage({ link: 'x', query: { success: 'true', code: 'forged' } }, '*'));
  await p.waitForTimeout(200);
  console.log('after forged:', JSON.stringify(await p.evaluate(() => window.result)));
  await p.click(T('kontolink-close'));
  console.log('after close:', JSON.stringify(await p.evaluate(() => window.result)), 'overlay gone:', !(await p.$(T('kontolink-overlay'))));
  // 2. full flow in overlay → onSuccess
  await p.evaluate(() => { window.result = null; window.open1(); });
  const f = p.frameLocator(T('kontolink-iframe'));
  await f.locator(T('bank-search-input')).fill('sand');
  await f.locator(T('bank-result-kontolink-sandbox')).click();
  await f.locator(T('credential-login')).fill('demo'); await f.locator(T('credential-pin')).fill('1');
  await f.locator(T('submit')).click();
  await f.locator(T('complete')).click();
  await p.waitForFunction(() => window.result);
  console.log('after flow:', JSON.stringify(await p.evaluate(() => window.result)), 'events:', JSON.stringify(await p.evaluate(() => window.events)), 'overlay gone:', !(await p.$(T('kontolink-overlay'))), 'url:', p.url());
  await ctx.close();
})();
