// Benchmark (not a test): the bytes a browser receives for the widget as the real server
// sends them with `Accept-Encoding: br` (the page, then every script, wasm and stylesheet
// it names), with the encoding and caching of each. Prints a table.
import { get } from 'node:http';
import { startServer } from '../lib/server.mjs';

function fetchRaw(url) {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': 'br' } }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, status: response.statusCode, bytes: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const server = await startServer({ demo: false });
try {
  const page = await fetchRaw(`${server.base}/`);
  const html = await (await fetch(`${server.base}/`)).text();
  const assets = [...new Set([...html.matchAll(/["'](\/[^"']+\.(?:js|wasm|css))["']/g)].map((m) => m[1]))];
  const rows = [['/ (page)', page]];
  for (const asset of assets) rows.push([asset, await fetchRaw(`${server.base}${asset}`)]);
  let total = 0;
  console.log(`\n${'served with Accept-Encoding: br'.padEnd(52)} ${'bytes'.padStart(9)}  encoding  cache-control`);
  for (const [name, response] of rows) {
    if (response.status !== 200) throw new Error(`${name}: ${response.status}`);
    total += response.bytes.length;
    console.log(`${name.padEnd(52)} ${String(response.bytes.length).padStart(9)}  ${(response.headers['content-encoding'] || 'identity').padEnd(8)}  ${response.headers['cache-control']}`);
  }
  console.log(`${'total'.padEnd(52)} ${String(total).padStart(9)}\n`);
} finally {
  await server.stop();
}
