// The panel in "vscode" mode, in real headless Chromium: the page gets `acquireVsCodeApi` and this
// test plays the extension host, implementing messages.ts with a `PanelRequestHandlers` table that
// proxies the REAL executor (as the extension does). Covers what only the editor gives the panel:
// events with schemas from the language server (validation while typing), fixtures on disk,
// navigation from a CodeLens, Go to source and the stepper's line highlight.
// Screenshot: test-results/panel-webview-light.png (a light theme's variables, as VS Code sets them).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { extname, join } from 'node:path';
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import { Routes } from '../../../runtime/api';
import type { Fixture, HostToWebview, PanelEventInfo, PanelRequest, PanelRequestHandlers, PanelRoute, StepRef, WebviewToHost } from '../../../media/messages';
import { ROOT, waitUntil } from '../../executor/harness';
import { watchProblems } from './browser';
import { startPanelRig, type PanelRig } from './rig';

const SHOTS = join(ROOT, 'test-results');
mkdirSync(SHOTS, { recursive: true });

const ORDER_SCHEMA: PanelEventInfo = {
  name: 'shop/order.placed',
  dataSchema: {
    type: 'object',
    required: ['orderId', 'amount'],
    additionalProperties: false,
    properties: { orderId: { type: 'string', minLength: 1 }, amount: { type: 'number', minimum: 1 }, email: { type: 'string', format: 'email' } },
  },
  example: { orderId: 'ord_123', amount: 42, email: 'ada@example.com' },
  listeners: ['panel-shop-checkout'],
};

/** Some of VS Code's Light Modern colours, set on <html> as VS Code does in a webview. */
const LIGHT_THEME: Record<string, string> = {
  '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171', '--vscode-editor-background': '#ffffff',
  '--vscode-sideBar-background': '#f8f8f8', '--vscode-panel-border': '#e5e5e5', '--vscode-input-background': '#ffffff',
  '--vscode-input-foreground': '#3b3b3b', '--vscode-input-border': '#cecece', '--vscode-button-secondaryBackground': '#e5e5e5',
  '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc', '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-list-hoverBackground': '#f2f2f2',
  '--vscode-textCodeBlock-background': '#f2f2f2', '--vscode-list-activeSelectionBackground': '#e8e8e8', '--vscode-list-activeSelectionForeground': '#000000',
  '--vscode-inputValidation-errorBackground': '#fdecea', '--vscode-errorForeground': '#c72e0f', '--vscode-testing-iconPassed': '#388a34',
  '--vscode-debugTokenExpression-name': '#9b46b0', '--vscode-debugTokenExpression-string': '#a31515', '--vscode-debugTokenExpression-number': '#098658',
};

let rig: PanelRig;
let page: Page;
let problems: string[];
let server: http.Server;
let pageUrl = '';
const fixtures: Fixture[] = [];
const opened: StepRef[] = [];
const highlighted: (StepRef | null)[] = [];
const routes: string[] = [];
let socket: WebSocket | null = null;
let navigateOnReady: PanelRoute | null = null;

/** The host side of messages.ts, as the extension implements it (a table: a missing kind fails to compile). */
function handlers(executorUrl: string): PanelRequestHandlers {
  return {
    api: async ({ method, path, body }) => {
      const res = await fetch(executorUrl + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
    events: async () => [ORDER_SCHEMA],
    openSource: async ({ step }) => {
      opened.push(step);
      return { file: 'test/e2e/panel/checkout-app.ts', line: 29, character: 5 };
    },
    highlightSource: async ({ step }) => {
      highlighted.push(step);
      return null;
    },
    listFixtures: async () => [...fixtures],
    saveFixture: async ({ fixture }) => {
      fixtures.push(fixture);
      return { path: `.steplens/fixtures/${fixture.name}.json` };
    },
  };
}

async function post(msg: HostToWebview): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), msg);
}

async function onMessage(raw: string, executorUrl: string): Promise<void> {
  if (process.env.DEBUG_PANEL) console.log('[host<-]', raw.slice(0, 200));
  const msg = JSON.parse(raw) as WebviewToHost;
  const table = handlers(executorUrl);
  switch (msg.type) {
    case 'ready':
      // Like the extension: a CodeLens that opened the panel sends its route as soon as it is ready.
      if (navigateOnReady) await post({ type: 'navigate', to: navigateOnReady });
      return;
    case 'route':
      routes.push(msg.title);
      return;
    case 'request': {
      const req: PanelRequest = msg.request;
      try {
        const result = await (table[req.kind] as (r: PanelRequest) => Promise<never>)(req);
        await post({ type: 'response', id: msg.id, ok: true, result });
      } catch (e) {
        await post({ type: 'response', id: msg.id, ok: false, error: { message: (e as Error).message } });
      }
      return;
    }
    case 'stream.subscribe': {
      // Relay the executor's stream like the extension host does; report when it is not there.
      socket?.terminate();
      const ws = new WebSocket(executorUrl.replace(/^http/, 'ws') + Routes.stream);
      socket = ws;
      ws.on('open', () => {
        ws.send(JSON.stringify(msg.since === undefined ? { type: 'subscribe' } : { type: 'subscribe', since: msg.since }));
        void post({ type: 'stream.state', state: 'open' }).catch(() => undefined);
      });
      ws.on('message', (d) => void post({ type: 'stream.message', message: JSON.parse(String(d)) }).catch(() => undefined));
      ws.on('error', () => undefined);
      ws.on('close', () => {
        if (socket === ws) void post({ type: 'stream.state', state: 'closed', detail: 'no live stream: polling' }).catch(() => undefined);
      });
      return;
    }
    default: {
      const never: never = msg;
      throw new Error(`unhandled ${JSON.stringify(never)}`);
    }
  }
}

before(async () => {
  rig = await startPanelRig();
  const media = join(ROOT, 'dist', 'media');
  if (!existsSync(join(media, 'index.html'))) throw new Error('dist/media is not built: run `node esbuild.mjs`');
  // Serves the template the way the extension fills it for a webview.
  server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0];
    if (p === '/') {
      const nonce = randomBytes(16).toString('base64');
      const html = readFileSync(join(media, 'index.html'), 'utf8').replaceAll('%NONCE%', nonce).replaceAll('%CSP_SOURCE%', "'self'")
        .replaceAll('%ASSET_BASE%', '/assets').replaceAll('%BOOT%', JSON.stringify({ mode: 'vscode' }).replace(/"/g, '&quot;'));
      res.writeHead(200, { 'content-type': 'text/html' });
      return void res.end(html);
    }
    const f = join(media, p.replace(/^\/assets\//, '').replace(/\.\./g, ''));
    if (!p.startsWith('/assets/') || !existsSync(f)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': extname(f) === '.css' ? 'text/css' : 'text/javascript' });
    res.end(readFileSync(f));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  pageUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  const context = await rig.browser.newContext({ viewport: { width: 1100, height: 760 } });
  page = await context.newPage();
  problems = watchProblems(page);
  if (process.env.DEBUG_PANEL) page.on('console', (m) => console.log('[page]', m.text()));
  await page.exposeFunction('__steplensHost', (raw: string) => onMessage(raw, rig.ex.url));
  // What VS Code gives a webview: acquireVsCodeApi and the theme's CSS variables (Light Modern here).
  // (A string, not a function: tsx would add helpers to a function that do not exist in the page.)
  await page.addInitScript(`
    let state;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => void window.__steplensHost(JSON.stringify(m)),
      getState: () => state,
      setState: (s) => { state = s; },
    });
    const vars = ${JSON.stringify(LIGHT_THEME)};
    document.addEventListener('DOMContentLoaded', () => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      document.body.classList.add('vscode-light');
    });
  `);
});

after(async () => {
  socket?.terminate();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await rig?.dispose();
});

void test('a CodeLens "Send test event" opens the composer prefilled from the schema, validated while typing', async () => {
  navigateOnReady = { view: 'composer', functionId: 'panel-shop-checkout' };
  await page.goto(pageUrl);
  await page.waitForSelector('body.mode-vscode[data-ready=true]', { timeout: 15_000 });
  await page.waitForFunction(() => (document.querySelector('input.event-name') as HTMLInputElement | null)?.value === 'shop/order.placed');
  await page.waitForSelector('.composer:not([data-loading])');
  assert.deepEqual(JSON.parse(await page.inputValue('textarea.json-editor')), ORDER_SCHEMA.example);
  await page.waitForSelector('#composer-issues .ok-text');
  await page.fill('textarea.json-editor', '{ "orderId": 5, "amount": 0, "email": "nope", "extra": true }');
  const issues = await page.$$eval('#composer-issues li', (els) => els.map((e) => e.textContent));
  assert.ok(issues.includes('data.orderId should be string, not integer'), issues.join(' | '));
  assert.ok(issues.includes('data.amount should be ≥ 1'), issues.join(' | '));
  assert.ok(issues.includes('data.email should be a valid email'), issues.join(' | '));
  assert.ok(issues.includes("data.extra is not in the event's schema"), issues.join(' | '));
  await page.fill('textarea.json-editor', '{ "orderId": "o-9", "amount": 12 }');
  await page.waitForSelector('#composer-issues .ok-text');
});

void test('save as fixture goes to the host; the composer lists it by name', async () => {
  await page.fill('input[aria-label="Fixture name"]', 'small-order');
  await page.click('[data-action=save-fixture]');
  await page.waitForSelector('[data-fixture=small-order]');
  assert.deepEqual(fixtures, [{ name: 'small-order', event: 'shop/order.placed', data: { orderId: 'o-9', amount: 12 } }]);
  assert.match((await page.textContent('.composer-side')) ?? '', /\.steplens\/fixtures\//);
});

void test('send through the host, open the run, Go to source and the stepper ask the host for the step', async () => {
  await page.press('textarea.json-editor', 'Control+Enter');
  const started = page.locator('.started-runs [data-run-id][data-status=Failed]');
  await started.first().waitFor({ timeout: 20_000 });
  const runId = (await started.first().getAttribute('data-run-id'))!;
  await started.first().click();
  await page.waitForSelector('.tl-row.selected[data-step-id=charge]', { timeout: 10_000 });
  await page.click('.step-detail button:has-text("Go to source")');
  await waitUntil('the host to be asked for the source', async () => (opened.length ? true : undefined), 5000);
  assert.deepEqual(opened, [{ functionId: 'panel-shop-checkout', stepId: 'charge' }]);
  await page.screenshot({ path: join(SHOTS, 'panel-webview-light.png') });
  await page.click('[data-tab=stepper]');
  // Opening the stepper highlights the first call's step; moving highlights the next one.
  await waitUntil('a highlight request', async () => (highlighted.length ? true : undefined), 5000);
  await page.focus('.stepper');
  await page.keyboard.press('ArrowRight');
  await waitUntil('a second highlight request', async () => (highlighted.length >= 2 ? true : undefined), 5000);
  const run = await rig.ex.run(runId);
  const second = run.exchanges[1];
  const expected = run.steps.find((s) => s.hashedId === second.stepId) ?? run.steps.find((s) => s.hashedId === second.ops[0]?.hashedId);
  assert.deepEqual(highlighted.at(-1), { functionId: 'panel-shop-checkout', stepId: expected?.userId });
  assert.ok(routes.some((t) => t.startsWith('Run ')), routes.join());
  // Leaving the stepper clears the editor's highlight.
  await page.click('[data-tab=timeline]');
  await waitUntil('the highlight to be cleared', async () => (highlighted.at(-1) === null ? true : undefined), 5000);
  assert.deepEqual(problems, []);
});
