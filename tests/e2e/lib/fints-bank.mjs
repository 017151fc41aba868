// Starts the scripted FinTS test bank (server/examples/fints_test_bank.rs) on a free
// loopback port and stops it (by its own pid) when the test is done.
import { spawn } from 'node:child_process';

export async function startFintsBank() {
  const bin = process.env.KONTOLINK_FINTS_TEST_BANK_BIN;
  if (!bin) throw new Error('KONTOLINK_FINTS_TEST_BANK_BIN must be set (scripts/test.sh builds it)');
  const child = spawn(bin, ['127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/LISTENING (\S+)/);
      if (match) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the FinTS test bank exited (${code})`)));
    setTimeout(() => reject(new Error('the FinTS test bank did not start')), 20_000);
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
    },
  };
}
