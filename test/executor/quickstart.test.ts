// The README quick start works: `scripts/dev-example.mjs` (what `npm run dev:example` runs after the
// build) starts the executor and the demo app (v4 by default, v3 with --sdk v3), sends the demo
// event, and the run completes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SDKS } from './harness';

void describe('the README quick start', { concurrency: true }, () => {
  for (const sdk of SDKS) {
    void test(`npm run dev:example --once (demo on inngest ${sdk}): a newcomer sees the demo run complete`, { timeout: 90_000 }, () => quickstart(sdk));
  }
});

async function quickstart(sdk: string): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'steplens-quickstart-'));
  try {
    const args = [join(ROOT, 'scripts', 'dev-example.mjs'), '--once', '--port', '0', '--data-dir', dataDir, '--sdk', sdk];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 0, out);
    assert.match(out, /Steplens dev server ready at http:\/\/127\.0\.0\.1:\d+/);
    assert.match(out, /Synced app steplens-demo/);
    assert.match(out, /send-welcome-email\s+attempt 1 failed: mail provider timed out/, 'the failing-then-fixed step is shown');
    assert.match(out, /✓ wait-for-onboarding\s+completed timed out/);
    assert.match(out, /Run Completed/);
    assert.match(out, /"onboarded":false/);
    assert.match(out, /Open the Steplens UI: http:\/\/127\.0\.0\.1:\d+\//);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
