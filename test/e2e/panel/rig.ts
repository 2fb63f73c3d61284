// The panel tests' rig: a real `steplens dev` (test/executor/harness.ts), the checkout app on the
// official SDK (checkout-app.ts) synced to it, and headless Chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { Executor, ROOT, waitUntil } from '../../executor/harness';
import { launch } from './browser';

export class PanelAppError extends Error {
  override name = 'PanelAppError';
}

export interface PanelRig {
  ex: Executor;
  appUrl: string;
  appOrigin: string;
  browser: Browser;
  /** "Fixes the code": the app's `charge` step succeeds from now on. */
  fix(): Promise<void>;
  /** Executions of `step` in `runId` as the app counted them. */
  hits(runId: string, step: string): Promise<number>;
  dispose(): Promise<void>;
}

function startApp(executorUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'e2e', 'panel', 'checkout-app.ts')], {
    cwd: ROOT, env: { ...process.env, INNGEST_DEV: executorUrl, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new PanelAppError(`checkout app printed no ready line in 30 s:\n${out}`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /panel app ready at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new PanelAppError(`checkout app exited with ${code} before it was ready:\n${out}`));
    });
  });
}

export async function startPanelRig(): Promise<PanelRig> {
  const ex = await Executor.start();
  let app: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;
  try {
    app = await startApp(ex.url);
    await ex.sync(app.url);
    browser = await launch();
  } catch (err) {
    app?.child.kill();
    await ex.dispose();
    throw err;
  }
  const a = app;
  const origin = new URL(a.url).origin;
  const b = browser;
  return {
    ex, appUrl: a.url, appOrigin: origin, browser: b,
    async fix() {
      const res = await fetch(`${origin}/__fix`, { method: 'POST' });
      if (!res.ok) throw new PanelAppError(`POST /__fix answered ${res.status}`);
    },
    async hits(runId, step) {
      const all = (await (await fetch(`${origin}/__hits`)).json()) as Record<string, number>;
      return all[`${runId}:${step}`] ?? 0;
    },
    async dispose() {
      await b.close().catch(() => undefined);
      if (a.child.exitCode === null) {
        const exited = new Promise((r) => a.child.once('exit', r));
        a.child.kill('SIGTERM');
        await Promise.race([exited, waitUntil('app exit', async () => (a.child.exitCode !== null ? true : undefined), 5000).catch(() => a.child.kill('SIGKILL'))]);
      }
      await ex.dispose();
    },
  };
}
