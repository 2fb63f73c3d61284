// `steplens dev` started by an editor or script that dies without signalling it (kill -9) must not
// live on as an orphan: it stops by itself once its parent is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = resolve(__dirname, '../../bin/steplens.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

void test('the executor exits when the process that started it is killed -9', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'steplens-orphan-'));
  // A parent that starts the executor with piped output, relays its ready line with its pid,
  // then stays alive until we kill it.
  const parentSrc = `
    const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, [${JSON.stringify(BIN)}, 'dev', '-p', '0', '--no-discovery', '--data-dir', ${JSON.stringify(dir)}], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout.on('data', (b) => { if (String(b).includes('ready at')) process.stdout.write('child ' + c.pid + '\\n'); });
    c.stderr.resume();
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', parentSrc], { stdio: ['ignore', 'pipe', 'inherit'] });
  let childPid = 0;
  try {
    const lines = createInterface({ input: parent.stdout! });
    for await (const line of lines) {
      const m = /^child (\d+)$/.exec(line);
      if (m) {
        childPid = Number(m[1]);
        break;
      }
    }
    assert.ok(childPid > 0, 'the executor never said it was ready');
    assert.ok(alive(childPid));
    parent.kill('SIGKILL');
    const deadline = Date.now() + 15_000;
    while (alive(childPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(childPid), false, 'the executor outlived its parent');
  } finally {
    parent.kill('SIGKILL');
    if (childPid && alive(childPid)) process.kill(childPid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});
