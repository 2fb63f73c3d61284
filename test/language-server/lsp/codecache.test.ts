// The loader's V8 code cache (language-server/loader.ts): written after the first index, used by the
// next start, a corrupt cache is rejected and rewritten, an unwritable directory or --no-code-cache
// only means no cache (the server still indexes). Each start is a new server process.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { TestWorkspace } from './harness';

const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'cc', dependencies: { inngest: '^3.54.0' } }),
  'src/app.ts': `import { Inngest } from 'inngest';
export const inngest = new Inngest({ id: 'cc' });
export const f = inngest.createFunction({ id: 'f' }, { event: 'app/x' }, async ({ step }) => {
  await step.run('a', () => 1);
});
`,
};

const dirs: string[] = [];
const running: TestWorkspace[] = [];

after(async () => {
  for (const ws of running) await ws.dispose();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'steplens-cc-test-'));
  dirs.push(d);
  return d;
}

async function start(opts: { cacheDir?: string; serverArgs?: string[] }): Promise<TestWorkspace> {
  const ws = await TestWorkspace.start({ files, serverArgs: opts.serverArgs, env: opts.cacheDir ? { STEPLENS_CODE_CACHE_DIR: opts.cacheDir } : undefined });
  running.push(ws);
  assert.equal(ws.indexChanges[0]?.functionCount, 1, 'the server indexes with or without a code cache');
  return ws;
}

async function stop(ws: TestWorkspace): Promise<void> {
  await ws.dispose();
  running.splice(running.indexOf(ws), 1);
}

async function cacheFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.cache'));
}

void test('first start writes the cache after indexing; the next start uses it', async () => {
  const dir = await tempDir();
  const first = await start({ cacheDir: dir });
  await first.waitForLog((l) => l.includes('no code cache yet'), 'the missing-cache line');
  const written = await first.waitForLog((l) => /code cache (written|not written)/.test(l), 'the cache write');
  assert.match(written, /code cache written \(\d+ bytes/);
  await stop(first);
  const names = await cacheFiles(dir);
  assert.equal(names.length, 1, `one cache file in ${dir}: ${names.join(', ')}`);
  assert.ok((await readFile(path.join(dir, names[0]!))).length > 100_000, 'the cache holds the compiled bundle');

  const second = await start({ cacheDir: dir });
  await second.waitForLog((l) => l.includes('code cache used'), 'the cache-used line');
  await second.waitForLog((l) => l.includes('code cache unchanged'), 'no rewrite of an accepted cache');
  await stop(second);
  assert.deepEqual(await cacheFiles(dir), names);
});

void test('a corrupt cache is rejected by V8 and rewritten', async () => {
  const dir = await tempDir();
  const first = await start({ cacheDir: dir });
  await first.waitForLog((l) => l.includes('code cache written'), 'the cache write');
  await stop(first);
  const [name] = await cacheFiles(dir);
  const garbage = Buffer.alloc(4096, 7);
  await writeFile(path.join(dir, name!), garbage);

  const second = await start({ cacheDir: dir });
  await second.waitForLog((l) => l.includes('code cache rejected'), 'the rejected-cache line');
  await second.waitForLog((l) => l.includes('code cache written'), 'the rewrite');
  await stop(second);
  const again = await readFile(path.join(dir, name!));
  assert.notDeepEqual(again, garbage);
  assert.ok(again.length > 100_000);
});

void test('an unwritable cache directory or --no-code-cache leaves the server working without a cache', async () => {
  const dir = await tempDir();
  const blocker = path.join(dir, 'not-a-dir');
  await writeFile(blocker, 'a file where the cache directory would be');
  const ws = await start({ cacheDir: path.join(blocker, 'cache') });
  const line = await ws.waitForLog((l) => /code cache (written|not written)/.test(l), 'the cache write attempt');
  assert.match(line, /code cache not written: .*the server works without it/);
  await stop(ws);

  const off = await start({ serverArgs: ['--no-code-cache'] });
  await off.waitForLog((l) => l.includes('code cache off: --no-code-cache was given'), 'the cache-off line');
  await stop(off);
});

void test('--code-cache-dir wins over the environment variable', async () => {
  const envDir = await tempDir();
  const argDir = await tempDir();
  const ws = await TestWorkspace.start({ files, env: { STEPLENS_CODE_CACHE_DIR: envDir }, serverArgs: ['--code-cache-dir', argDir] });
  running.push(ws);
  await ws.waitForLog((l) => l.includes('code cache written'), 'the cache write');
  await stop(ws);
  assert.equal((await cacheFiles(argDir)).length, 1);
  assert.equal((await cacheFiles(envDir)).length, 0);
});
