// Runs the Steplens suite (test/e2e/vscode/suite/) inside a real VS Code: code-server 4.139.1
// (VS Code 1.139.1) on Node 24, installed once into .cache/vscode-e2e/, driven by Playwright with
// Debian's Chromium. The suite runs in the extension host through the smoke-test driver's
// extensionDevelopmentPath/extensionTestsPath payload; screenshots go to test-results/.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  ROOT,
  buildSuite,
  ensureInstalled,
  freePort,
  makeWorkspace,
  startCodeServer,
  testUrl,
  type CodeServer,
} from './harness';

/**
 * Answers a request of the suite (`<name>.done`). Written aside and renamed, so the suite, which
 * watches for the file to appear, never reads it half-written (an empty answer).
 */
function answer(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const RESULTS = join(ROOT, 'test-results');
let cs: CodeServer | undefined;
let browser: Browser | undefined;
const temps: string[] = [];

after(async () => {
  await browser?.close().catch(() => undefined);
  await cs?.stop();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

void test('Steplens extension suite in a real VS Code (code-server + Chromium)', { timeout: 15 * 60_000 }, async (t) => {
  const reason = ensureInstalled((s) => t.diagnostic(s));
  if (reason) {
    t.skip(reason);
    return;
  }
  const suiteJs = await buildSuite();
  const ws = makeWorkspace({
    'steplens.port': await freePort(),
    'steplens.discovery': false,
    'telemetry.telemetryLevel': 'off',
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
    'extensions.ignoreRecommendations': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'editor.minimap.enabled': false,
  });
  temps.push(ws);
  const scratch = mkdtempSync(join(tmpdir(), 'steplens-cs-'));
  temps.push(scratch);
  const e2e = join(ws, '.e2e');
  mkdirSync(RESULTS, { recursive: true });

  cs = await startCodeServer(ws, scratch);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const page: Page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });

  let resolveExit: (code: number) => void = () => undefined;
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
  // The workbench's console, kept for failure reports (the suite's own log is read from <ws>/.e2e/log.txt).
  const consoleTail: string[] = [];
  await page.exposeFunction('codeAutomationLog', (...args: unknown[]) => {
    consoleTail.push(args.map(String).join(' '));
    if (consoleTail.length > 60) consoleTail.shift();
  });

  // Screenshot requests from the suite: <ws>/.e2e/shot-<name>.req -> test-results/vscode-<name>.png.
  const taken = new Set<string>();
  let e2eDir = e2e;
  const shoot = async (name: string): Promise<void> => {
    let note = '';
    if (name.startsWith('panel')) {
      // Let the webview render before the picture (signal: an element or text in its frame).
      const frame = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
      const ready = name === 'panel-composer'
        ? frame.locator('.composer button[data-action="send"]')
        : frame.locator('body').filter({ hasText: /Completed|completed/ });
      try {
        await ready.first().waitFor({ state: 'visible', timeout: 20_000 });
        note = name === 'panel-composer' ? 'composer shown' : 'panel shows a completed run';
      } catch {
        note = 'panel content not confirmed';
      }
    }
    const file = join(RESULTS, `vscode-${name}.png`);
    await page.screenshot({ path: file });
    answer(join(e2eDir, `shot-${name}.done`), `${note} -> ${file}`);
  };
  // The composer's Send button, clicked in the webview like a user would.
  const clickSend = async (): Promise<void> => {
    const frame = page.frameLocator('iframe.webview').last().frameLocator('iframe#active-frame');
    const btn = frame.locator('.composer button[data-action="send"]');
    try {
      await btn.waitFor({ state: 'visible', timeout: 30_000 });
      await btn.click();
      answer(join(e2eDir, 'click-send.done'), 'clicked Send in the composer');
    } catch (err) {
      answer(join(e2eDir, 'click-send.done'), `failed: ${String(err)}`);
    }
  };
  // The Functions view's welcome content, in a workspace without inngest.
  const checkWelcome = async (): Promise<void> => {
    const welcome = page.locator('.welcome-view-content').filter({ hasText: 'depends on' }).first();
    try {
      await welcome.waitFor({ state: 'visible', timeout: 30_000 });
      const text = (await welcome.innerText()).replace(/\s+/g, ' ');
      const button = await page.locator('.welcome-view-content .monaco-button', { hasText: 'Add an Example Function' }).count();
      answer(join(e2eDir, 'check-welcome.done'), `found: ${text}${button ? ' [button: Add an Example Function]' : ' [no button]'}`);
    } catch (err) {
      answer(join(e2eDir, 'check-welcome.done'), `failed: ${String(err)}`);
    }
  };
  const watchRequests = (dir: string): ReturnType<typeof watch> =>
    watch(dir, (_ev, f) => {
      const name = /^(.+)\.req$/.exec(String(f ?? ''))?.[1];
      if (!name || taken.has(name)) return;
      taken.add(name);
      if (name === 'click-send') void clickSend();
      else if (name === 'check-welcome') void checkWelcome();
      else if (name.startsWith('shot-')) {
        const shot = name.slice('shot-'.length);
        shoot(shot).catch((err: unknown) => answer(join(dir, `${name}.done`), `failed: ${String(err)}`));
      }
    });
  /** Opens the workbench on a folder with a suite to run, and resolves with its exit code. */
  const runSuite = async (folder: string, suite: string, minutes: number): Promise<number> => {
    const exited = new Promise<number>((r) => (resolveExit = r));
    await page.goto(testUrl(cs!, folder, suite));
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 90_000 });
    return Promise.race([
      exited,
      new Promise<number>((_, rej) => setTimeout(() => rej(new Error(`the suite did not finish within ${minutes} minutes`)), minutes * 60_000).unref()),
    ]);
  };
  const watcher = watchRequests(e2e);
  const code = await runSuite(ws, suiteJs, 12);
  watcher.close();
  await page.screenshot({ path: join(RESULTS, 'vscode-final.png') }).catch(() => undefined);

  const log = existsSync(join(e2e, 'log.txt')) ? readFileSync(join(e2e, 'log.txt'), 'utf8') : '(no log)';
  for (const line of log.trim().split('\n')) t.diagnostic(line);
  const result = existsSync(join(e2e, 'result.json')) ? (JSON.parse(readFileSync(join(e2e, 'result.json'), 'utf8')) as Record<string, unknown>) : undefined;
  if (result) writeFileSync(join(RESULTS, 'vscode-e2e.json'), JSON.stringify({ at: new Date().toISOString(), ...result }, null, 2));
  if (code !== 0) {
    t.diagnostic(`workbench console (tail):\n${consoleTail.join('\n')}`);
    t.diagnostic(`code-server output (tail):\n${cs.output.slice(-30).join('\n')}`);
  }
  assert.equal(code, 0, `the in-VS-Code suite failed (exit ${code}); see the diagnostics above and test-results/vscode-final.png`);
  assert.ok(result && (result.passes as number) >= 9, `expected at least 9 passing tests, got ${JSON.stringify(result)}`);

  // Second window on the same server: a workspace without inngest gets the welcome view, no executor.
  const plain = mkdtempSync(join(tmpdir(), 'steplens-plain-'));
  temps.push(plain);
  writeFileSync(join(plain, 'package.json'), JSON.stringify({ name: 'plain-app', private: true, dependencies: { express: '^4.0.0' } }, null, 2));
  mkdirSync(join(plain, '.e2e'));
  e2eDir = join(plain, '.e2e');
  const watcher2 = watchRequests(e2eDir);
  const code2 = await runSuite(plain, await buildSuite('welcome'), 3);
  watcher2.close();
  const log2 = existsSync(join(e2eDir, 'log.txt')) ? readFileSync(join(e2eDir, 'log.txt'), 'utf8') : '(no log)';
  for (const line of log2.trim().split('\n')) t.diagnostic(`[no inngest] ${line}`);
  assert.equal(code2, 0, 'the welcome-view suite failed; see the [no inngest] lines above');
});
