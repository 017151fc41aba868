// Benchmark (not a test): how long the bank search takes in headless Chromium against the
// real server, from the input event to the first result on screen (the widget's debounce,
// the request and the rendering included). One fresh browser profile per query; prints the
// figures.
import { openBrowser } from '../lib/browser.mjs';
import { createOnetimeFlow } from '../lib/integrator.mjs';
import { startServer } from '../lib/server.mjs';

const runs = Number(process.env.RUNS || 10);
// What end-users type: a bank group (many matches), a name, a city, a BLZ, a BIC.
const queries = ['Sparkasse', 'Commerzbank', 'Volksbank Hamburg', 'München', '10070000',
  'DEUTDEBB', 'Sandbox', 'Postbank', 'Berliner', 'ING'];

const server = await startServer();
const timings = [];
try {
  for (let i = 0; i < runs; i += 1) {
    const query = queries[i % queries.length];
    const { location } = await createOnetimeFlow(server.base);
    const browser = await openBrowser();
    try {
      const { page } = browser;
      // Note the input event's time and the moment the first result appears in the DOM.
      await page.addInitScript(() => {
        document.addEventListener('input', (event) => {
          if (event.target?.dataset?.testid === 'bank-search-input') window.__inputAt = event.timeStamp;
        }, true);
        new MutationObserver(() => {
          if (window.__inputAt !== undefined && window.__shownAt === undefined
            && document.querySelector('[data-testid^="bank-result-"]')) {
            window.__shownAt = performance.now();
          }
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(location);
      const input = page.getByTestId('bank-search-input');
      await input.waitFor({ timeout: 20_000 });
      await input.fill(query);
      await page.locator('[data-testid^="bank-result-"]').first().waitFor({ timeout: 20_000 });
      timings.push(await page.evaluate(() => window.__shownAt - window.__inputAt));
    } finally {
      await browser.close();
    }
  }
} finally {
  await server.stop();
}
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)];
console.log(`bank search, input event → first result shown (debounce included) over ${runs} queries, fresh profiles:`);
console.log(`  median ${median.toFixed(0)} ms, min ${timings[0].toFixed(0)} ms, max ${timings.at(-1).toFixed(0)} ms`);
