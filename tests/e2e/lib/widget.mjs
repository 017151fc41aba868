// Page object of the widget: what an end-user does, step by step, by data-testid.
import assert from 'node:assert/strict';

export const TIMEOUT = 20_000;
const T = (id) => `[data-testid="${id}"]`;

export class Widget {
  /** @param {import('playwright-core').Page | import('playwright-core').FrameLocator} root */
  constructor(root) {
    this.root = root;
  }

  el(testid) {
    return this.root.locator(T(testid));
  }

  async waitFor(testid, timeout = TIMEOUT) {
    await this.el(testid).first().waitFor({ timeout });
  }

  /** Bank search: type, then choose the result with the keyboard. */
  async chooseSandboxBank(query = 'Sandbox') {
    await this.el('bank-search-input').fill(query);
    await this.el('bank-result-kontolink-sandbox').waitFor({ timeout: TIMEOUT });
    await this.el('bank-search-input').press('ArrowDown');
    await this.el('bank-search-input').press('Enter');
    await this.waitFor('credential-login');
  }

  async logIn(login, pin = '1234') {
    await this.el('credential-login').fill(login);
    await this.el('credential-pin').fill(pin);
    await this.el('submit').click();
  }

  async enterTan(tan = '123456') {
    await this.waitFor('tan-input');
    await this.el('tan-input').fill(tan);
    await this.el('submit').click();
  }

  /** The account selection: every account comes preselected in a multi-selection flow. */
  async completeWithAccounts() {
    await this.waitFor('accounts', 60_000);
    const accounts = await this.root.locator('[data-testid^="account-"][type]').count();
    assert.ok(accounts >= 1, 'at least one account is offered');
    await this.el('complete').click();
    return accounts;
  }

  async cancel() {
    await this.el('cancel').click();
    await this.waitFor('cancel-dialog');
    await this.el('cancel-confirm').click();
  }
}

/** Waits for the top-level redirect to the integrator and returns its query. */
export async function redirectQuery(page, base) {
  await page.waitForURL((url) => url.href.startsWith(`${base}/demo/callback?`), { timeout: 60_000 });
  return Object.fromEntries(new URL(page.url()).searchParams);
}
