// The embedded executor as the extension starts it: real dist/cli.js, ready line, port fallback
// when the preferred port is taken, clean stop.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutorProcess, findFreePort, portFree } from '../../extension/executor/process';
import { ExecutorClient } from '../../extension/executor/client';
import { createLogger } from '../../extension/logger';

const cli = join(process.cwd(), 'dist', 'cli.js');
const dirs: string[] = [];
const procs: ExecutorProcess[] = [];
const servers: Server[] = [];
after(async () => {
  for (const p of procs) await p.dispose();
  for (const s of servers) s.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const lines: string[] = [];
const log = createLogger((level, line) => lines.push(`${level} ${line}`));

function holdPort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    servers.push(s);
    s.listen(0, '127.0.0.1', () => res((s.address() as { port: number }).port));
  });
}

void test('findFreePort skips a taken port', async () => {
  const taken = await holdPort();
  assert.equal(await portFree(taken), false);
  const p = await findFreePort(taken);
  assert.notEqual(p, taken);
  assert.ok(p > taken);
});

void test('starts dist/cli.js on the next free port when the preferred one is taken, answers, and stops', { skip: !existsSync(cli) && 'dist/cli.js not built' }, async () => {
  const taken = await holdPort();
  const dataDir = mkdtempSync(join(tmpdir(), 'steplens-exe-'));
  dirs.push(dataDir);
  const exe = new ExecutorProcess({ cliPath: cli, preferredPort: taken, dataDir, appUrls: [], discovery: false, logLevel: 'info', readyTimeoutMs: 30_000 }, log);
  procs.push(exe);
  const states: string[] = [];
  exe.onState((s) => states.push(s.kind));
  const ready = await exe.start();
  assert.notEqual(ready.port, taken);
  assert.equal(ready.preferredPort, taken);
  assert.equal(ready.url, `http://127.0.0.1:${ready.port}`);
  const apps = await new ExecutorClient(ready.url).apps();
  assert.ok(Array.isArray(apps));
  await exe.stop();
  assert.deepEqual(states, ['starting', 'ready', 'stopping', 'stopped']);
  assert.equal(await portFree(ready.port), true);
});

void test('a process that exits before its ready line fails with a hint', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'steplens-exe-'));
  dirs.push(dataDir);
  const exe = new ExecutorProcess({ cliPath: join(dataDir, 'missing.js'), preferredPort: await findFreePort(20000), dataDir, appUrls: [], discovery: false, logLevel: 'info' }, log);
  procs.push(exe);
  await assert.rejects(exe.start(), (err: Error & { hint?: string }) => {
    assert.equal(err.name, 'ExecutorStartError');
    assert.match(err.message, /exited/);
    assert.ok(err.hint);
    return true;
  });
  assert.equal(exe.state.kind, 'failed');
});
