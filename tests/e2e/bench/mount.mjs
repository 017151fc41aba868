// Benchmark (not a test): how long the widget takes to mount in headless Chromium, from
// navigation start until the bank search's input is on screen (session exchanged). Each load
// in a fresh browser profile: nothing cached, as an end-user's first visit. Prints the figures.
import { openBrowser } from '../lib/browser.mjs';
import { createOnetimeFlow } from '../lib/integrator.mjs';
import { startServer } from '../lib/server.mjs';

const runs = Number(process.env.RUNS || 10);
const server = await startServer();
const mounted = [];
try {
  for (let i = 0; i < runs; i += 1) {
    const { location } = await createOnetimeFlow(server.base);
    const browser = await openBrowser();
    const { page } = browser;
    // Note the moment (ms since navigation start) the first step appears in the DOM.
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        if (document.querySelector('[data-testid="bank-search-input"]')) {
          window.__mountedAt = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    });
    await page.goto(location);
    await page.getByTestId('bank-search-input').waitFor({ timeout: 20_000 });
    mounted.push(await page.evaluate(() => window.__mountedAt));
    await browser.close();
  }
} finally {
  await server.stop();
}
mounted.sort((a, b) => a - b);
const median = mounted[Math.floor(mounted.length / 2)];
console.log(`widget mounted and ready (session exchanged, bank search shown) over ${runs} cold page loads, fresh profiles:`);
console.log(`  median ${median.toFixed(0)} ms, min ${mounted[0].toFixed(0)} ms, max ${mounted.at(-1).toFixed(0)} ms`);
