// Extension figures: activate() duration (target < 100 ms, without the child processes' start),
// the executor's start-to-ready time, and the .vsix size.
//
// activate() is measured in the real extension host (code-server 4.139.1 = VS Code 1.139.1, the
// harness of test/e2e/vscode) when that is installed; otherwise in plain Node with a minimal
// `vscode` shim (clearly labelled). The executor is started by the same ExecutorProcess class the
// extension uses, against the built dist/cli.js, 5 times.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ExecutorProcess } from '../../extension/executor/process';
import { createLogger } from '../../extension/logger';
import { CACHE, CHROMIUM, CHROMIUM_ARGS, ROOT, buildSuite, freePort, makeWorkspace, startCodeServer, testUrl } from '../e2e/vscode/harness';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function activationInCodeServer(): Promise<{ activationMs: number; readyMs: number } | string> {
  if (!existsSync(join(CACHE, 'installed-4.139.1-node-24.22.3'))) return 'code-server not installed (run scripts/vscode-e2e-setup.sh)';
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} missing`;
  const suite = await buildSuite('activation');
  const ws = makeWorkspace({ 'steplens.port': await freePort(), 'steplens.discovery': false });
  const scratch = mkdtempSync(join(tmpdir(), 'steplens-cs-'));
  const cs = await startCodeServer(ws, scratch);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const exited = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (c: number) => resolve(c)));
    await page.goto(testUrl(cs, ws, suite));
    const code = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), 180_000).unref())]);
    if (code !== 0) return `the activation suite ended with ${code}`;
    const r = JSON.parse(readFileSync(join(ws, '.e2e', 'result.json'), 'utf8')) as { figures: { activationMs: number; readyAfterActivateCallMs: number } };
    return { activationMs: r.figures.activationMs, readyMs: r.figures.readyAfterActivateCallMs };
  } finally {
    await browser.close();
    await cs.stop();
    rmSync(ws, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Plain Node + a `vscode` shim where every API is a no-op proxy: measures our own activate() code only. */
function activationWithShim(runs = 20): number[] {
  const noop: ProxyHandler<() => unknown> = {
    get: (_t, p) => (p === 'then' || typeof p === 'symbol' ? undefined : stub),
    apply: () => stub,
    construct: () => stub as object,
    set: () => true,
  };
  const stub: unknown = new Proxy(function () {}, noop);
  // The bundle's interop copies the module's own names, so list every `x.Name` the bundle reads
  // (a minified bundle calls the module by a one-letter alias: every member name is offered).
  const bundle = readFileSync(join(ROOT, 'dist', 'extension.js'), 'utf8');
  const names = new Set([...bundle.matchAll(/\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!));
  const vscodeModule = Object.fromEntries([...names].map((n) => [n, stub]));
  const req = Module.prototype.require;
  Module.prototype.require = function (this: NodeJS.Module, id: string) {
    return id === 'vscode' ? vscodeModule : req.call(this, id);
  } as typeof req;
  const ext = require(join(ROOT, 'dist', 'extension.js')) as { activate(ctx: unknown): { activationMs: number }; deactivate(): unknown };
  const ctx = { subscriptions: [], workspaceState: { get: () => undefined, update: () => Promise.resolve() }, extensionUri: stub, asAbsolutePath: (p: string) => join(ROOT, p), storageUri: undefined, globalStorageUri: { fsPath: tmpdir() } };
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    ext.activate(ctx);
    out.push(performance.now() - t0);
  }
  Module.prototype.require = req;
  return out;
}

async function executorStartToReady(runs = 5): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'steplens-bench-'));
    const exe = new ExecutorProcess(
      { cliPath: join(ROOT, 'dist', 'cli.js'), preferredPort: await freePort(), dataDir, appUrls: [], discovery: false, logLevel: 'warn', execPath: process.execPath },
      createLogger(() => undefined),
    );
    const ready = await exe.start();
    out.push(ready.startMs);
    await exe.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return out;
}

function vsixSize(): number {
  const out = join(mkdtempSync(join(tmpdir(), 'steplens-vsix-')), 'steplens.vsix');
  execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs'), '--production'], { cwd: ROOT, stdio: 'ignore' });
  execFileSync(join(ROOT, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--no-rewrite-relative-links', '-o', out], { cwd: ROOT, stdio: 'ignore', input: '' });
  const size = statSync(out).size;
  // Back to the development build the tests expect (with source maps).
  execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'ignore' });
  return size;
}

async function main(): Promise<void> {
  const real = await activationInCodeServer().catch((err: unknown) => `failed: ${String(err)}`);
  if (typeof real === 'string') {
    console.log(`activate() in the real extension host: not measured (${real})`);
  } else {
    console.log(`activate() in the real extension host (code-server 4.139.1 / VS Code 1.139.1): ${real.activationMs.toFixed(1)} ms (target < 100 ms; children not counted)`);
    console.log(`  activate() call to language client + executor ready, same host: ${real.readyMs.toFixed(0)} ms`);
  }
  const shim = activationWithShim();
  console.log(`activate() in plain Node with a no-op vscode shim (our code only, not VS Code's): median ${median(shim).toFixed(2)} ms over ${shim.length} runs (first ${shim[0]!.toFixed(2)} ms)`);
  const exe = await executorStartToReady();
  console.log(`executor start to ready line (dist/cli.js on ${process.version}): median ${median(exe).toFixed(0)} ms over ${exe.length} runs [${exe.map((x) => x.toFixed(0)).join(', ')}]`);
  const size = vsixSize();
  console.log(`.vsix size (production build): ${(size / 1024 / 1024).toFixed(2)} MB (${size} bytes)`);
  process.exit(0);
}

void main();
