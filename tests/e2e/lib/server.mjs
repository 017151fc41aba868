// Starts a real kontolink-server on a free loopback port with a fresh SQLite file, and
// stops it (by its own pid) when the test is done.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = process.env.KONTOLINK_SERVER_BIN;
// Unset: the widget compiled into the binary (the single file a self-hoster deploys).
const widgetDir = process.env.KONTOLINK_WIDGET_DIR;

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export async function startServer({ demo = true, env = {} } = {}) {
  if (!bin) throw new Error('KONTOLINK_SERVER_BIN must be set');
  const dir = mkdtempSync(join(tmpdir(), 'kontolink-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['serve', '--listen', `127.0.0.1:${port}`,
    '--database-url', `sqlite://${join(dir, 'kontolink.db')}`];
  if (widgetDir) args.push('--widget-dir', widgetDir);
  if (demo) args.push('--demo');
  const child = spawn(bin, args, {
    env: { ...process.env, KONTOLINK_VAULT_KEY_FILE: join(dir, 'vault.key'), RUST_LOG: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${stderr}`);
    try {
      const response = await fetch(`${base}/healthz`);
      if (response.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error(`server did not become healthy:\n${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
