const { chromium } = require('playwright-core');
const fs = require('fs');
const BASE = process.env.BASE;
const results = [];
async function check(name, fn, ctx) {
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(String(e)));
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  try { await fn(page); results.push(`ok   ${name}${errors.length ? '  (console: ' + errors.join(' | ') + ')' : ''}`); }
  catch (e) { results.push(`FAIL ${name}: ${String(e).split('\n').slice(0,3).join(' ')} ${errors.join(' | ')}`); await page.screenshot({ path: require("os").tmpdir() + `/kl-fail-${name}.png` }); }
  await page.close();
}
const T = (id) => `[data-testid="${id}"]`;
async function login(page, token, loginName, pin = '1234') {
  await page.goto(`${BASE}/?token=${token}`);
  await page.fill(T('bank-search-input'), 'sand');
  await page.waitForSelector(T('bank-result-kontolink-sandbox'));
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector(T('credential-login'));
  await page.fill(T('credential-login'), loginName);
  await page.fill(T('credential-pin'), pin);
  await page.click(T('submit'));
}
async function finishAccounts(page) {
  await page.waitForSelector(T('account-acc-giro'));
  await page.click(T('complete'));
  await page.waitForURL(/\/cb\?/);
  return page.url();
}
(async () => {
  const dir = fs.mkdtempSync(require('path').join(require('os').tmpdir(), 'kl-profile-'));
  const ctx = await chromium.launchPersistentContext(dir, { executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  await check('used-link', async p => { await p.goto(`${BASE}/?token=used`); await p.waitForSelector(T('error-link-invalid')); }, ctx);
  await check('missing-token', async p => { await p.goto(`${BASE}/`); await p.waitForSelector(T('error-missing-token')); }, ctx);
  await check('demo-happy', async p => {
    await login(p, 'good', 'demo');
    await p.waitForSelector(T('account-acc-giro'));
    const heading = await p.evaluate(() => document.activeElement.tagName);
    if (heading !== 'H1') throw new Error('focus not on h1: ' + heading);
    const bal = await p.textContent(T('account-balance'));
    if (!bal.includes('1.234,56')) throw new Error('balance ' + bal);
    const url = await finishAccounts(p);
    if (!url.endsWith('/cb?code=the-code&state=st&success=true')) throw new Error(url);
    if (p.url().includes('token=')) throw new Error('token left');
  }, ctx);
  await check('token-leaves-address-bar', async p => { await p.goto(`${BASE}/?token=good`); await p.waitForSelector(T('bank-search-input')); if (p.url().includes('token')) throw new Error(p.url()); }, ctx);
  await check('no-results', async p => { await p.goto(`${BASE}/?token=good`); await p.fill(T('bank-search-input'), 'zzzz'); await p.waitForSelector(T('bank-no-results')); }, ctx);
  await check('english', async p => { await p.goto(`${BASE}/?token=good-en`); await p.waitForSelector('h1:has-text("Select your bank")'); const l = await p.getAttribute('html', 'lang'); if (l !== 'en') throw new Error(l); }, ctx);
  await check('embedded-tan-wrong-then-right', async p => {
    await login(p, 'good', 'embedded');
    await p.waitForSelector(T('tan-input'));
    await p.fill(T('tan-input'), '000000'); await p.click(T('submit'));
    await p.waitForSelector(T('error-tan-invalid'));
    await p.fill(T('tan-input'), '123456'); await p.click(T('submit'));
    await finishAccounts(p);
  }, ctx);
  await check('flicker', async p => {
    await login(p, 'good', 'flicker');
    await p.waitForSelector(T('flicker-canvas'));
    const code = await p.getAttribute(T('flicker-canvas'), 'data-code');
    if (code !== '0D85012045201998041234567855') throw new Error(code);
    const w0 = await p.getAttribute(T('flicker-canvas'), 'data-width');
    await p.click(T('flicker-larger')); await p.click(T('flicker-faster'));
    const w1 = await p.getAttribute(T('flicker-canvas'), 'data-width');
    if (+w1 <= +w0) throw new Error(`width ${w0} -> ${w1}`);
    await p.screenshot({ path: require('os').tmpdir() + '/kl-flicker.png' });
    await p.fill(T('tan-input'), '123456'); await p.click(T('submit'));
    await finishAccounts(p);
  }, ctx);
  await check('photo', async p => { await login(p, 'good', 'photo'); await p.waitForSelector(T('challenge-photo')); }, ctx);
  await check('html-sanitized', async p => {
    await login(p, 'good', 'html'); await p.waitForSelector(T('challenge-html'));
    const t = await p.textContent(T('challenge-html'));
    const pwned = await p.evaluate(() => window.pwned);
    const imgs = await p.$$eval(`${T('challenge-html')} img, ${T('challenge-html')} script`, e => e.length);
    if (pwned || imgs || !t.includes('TAN')) throw new Error(`pwned=${pwned} imgs=${imgs} t=${t}`);
  }, ctx);
  await check('methods', async p => {
    await login(p, 'good', 'methods'); await p.waitForSelector(T('method-942'));
    await p.check(T('method-942')); await p.click(T('submit'));
    await p.waitForSelector(T('tan-input')); await p.fill(T('tan-input'), '123456'); await p.click(T('submit'));
    await finishAccounts(p);
  }, ctx);
  await check('decoupled', async p => { await login(p, 'good', 'decoupled'); await p.waitForSelector(T('challenge-decoupled')); await finishAccounts(p); }, ctx);
  await check('redirect-top-level', async p => {
    await login(p, 'good', 'redirect'); await p.waitForSelector(T('redirect-continue'));
    await p.click(T('redirect-continue')); await p.waitForSelector('#approve'); await p.click('#approve');
    const url = await finishAccounts(p);
  }, ctx);
  await check('wrong-pin-retry', async p => {
    await login(p, 'good', 'demo', 'wrong'); await p.waitForSelector(T('error-credentials-invalid'));
    await p.fill(T('credential-pin'), '1234'); await p.click(T('submit'));
    await finishAccounts(p);
  }, ctx);
  await check('locked-close', async p => {
    await login(p, 'good', 'locked'); await p.waitForSelector(T('error-locked'));
    await p.click(T('close')); await p.waitForURL(/\/cb\?/);
    if (!p.url().endsWith('state=st&success=false&error=10012')) throw new Error(p.url());
  }, ctx);
  await check('limit', async p => { await login(p, 'good', 'limit'); await p.waitForSelector(T('error-too-many-syncs')); results.push('     ' + await p.textContent(T('error-too-many-syncs') + ' p[role=alert]')); }, ctx);
  await check('cancel', async p => {
    await p.goto(`${BASE}/?token=good`); await p.waitForSelector(T('bank-search-input'));
    await p.click(T('cancel')); await p.waitForSelector(T('cancel-dialog'));
    await p.keyboard.press('Escape'); await p.waitForSelector(T('cancel-dialog'), { state: 'detached' });
    await p.click(T('cancel')); await p.click(T('cancel-confirm')); await p.waitForURL(/\/cb\?/);
    if (!p.url().endsWith('state=st&success=false&cancel=true')) throw new Error(p.url());
  }, ctx);
  await check('preset-single', async p => {
    await p.goto(`${BASE}/?token=preset`); await p.waitForSelector(T('credential-login'));
    if (await p.$(T('change-bank'))) throw new Error('change-bank shown');
  }, ctx);
  await check('iframe-postmessage', async p => {
    await p.goto(`${BASE}/parent.html`);
    const f = p.frameLocator('#f');
    await f.locator(T('bank-search-input')).fill('sand');
    await f.locator(T('bank-result-kontolink-sandbox')).click();
    await f.locator(T('credential-login')).fill('demo'); await f.locator(T('credential-pin')).fill('1');
    await f.locator(T('submit')).click();
    await f.locator(T('complete')).click();
    await f.locator(T('finish')).waitFor();
    await p.waitForTimeout(300);
    const msgs = await p.evaluate(() => window.msgs);
    if (msgs.length !== 1) throw new Error(JSON.stringify(msgs));
    const m = msgs[0];
    if (JSON.stringify(m.data) !== JSON.stringify({ link: `${BASE}/cb`, query: { code: 'the-code', state: 'st', success: 'true' } })) throw new Error(JSON.stringify(m));
    if (!p.url().endsWith('/parent.html')) throw new Error('navigated ' + p.url());
  }, ctx);
  await check('narrow-320', async p => {
    await p.setViewportSize({ width: 320, height: 640 });
    await login(p, 'good', 'flicker'); await p.waitForSelector(T('flicker-canvas'));
    const sw = await p.evaluate(() => document.documentElement.scrollWidth);
    await p.screenshot({ path: require('os').tmpdir() + '/kl-narrow.png', fullPage: true });
    if (sw > 320) throw new Error('horizontal scroll ' + sw);
  }, ctx);
  const log = await (await fetch(`${BASE}/log`)).json();
  const syncPosts = log.filter(l => l[0] === 'POST' && /\/syncs$/.test(l[1]));
  results.push('sync body: ' + JSON.stringify(syncPosts[0] && syncPosts[0][3]));
  await ctx.close();
  console.log(results.join('\n'));
})();
