// Executor audit F6 in the panel, in headless Chromium: after sending an event that a batch or a
// debounce holds, the composer says so ("buffered in batch for batcher, 2 of 3, starts in N s",
// "debounced for debouncer, fires in N s"), counts down, follows the stream, and links to the run
// once it starts. A real executor (in process, serving the built panel) and a real inngest v4 app.
// Screenshot: test-results/panel-buffered.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import { route, type EventDetail, type RunDetail } from '../../../runtime/api';
import { api, sendEvent, serveApp, startExecutor, syncApp, waitFor, type AppServer, type Harness } from '../../runtime/helpers';
import { launch, watchProblems } from './browser';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SHOTS = join(ROOT, 'test-results');
mkdirSync(SHOTS, { recursive: true });

let h: Harness;
let app: AppServer;
let browser: Browser;
let page: Page;
let problems: string[];

before(async () => {
  const mediaDir = join(ROOT, 'dist', 'media');
  assert.ok(existsSync(join(mediaDir, 'panel.js')), 'run `node esbuild.mjs` first (npm test does)');
  h = await startExecutor({ mediaDir });
  const client = new Inngest({ id: 'pbuf', isDev: true, baseUrl: h.url });
  const batcher = client.createFunction({ id: 'batcher', batchEvents: { maxSize: 3, timeout: '60s' }, triggers: [{ event: 'pbuf/batch' }] }, async ({ events }) => events.length);
  const debouncer = client.createFunction({ id: 'debouncer', debounce: { period: '3s' }, triggers: [{ event: 'pbuf/debounce' }] }, async ({ event }) => event.data);
  app = await serveApp(serve({ client, functions: [batcher, debouncer] }));
  await syncApp(h.url, app.url);
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1280, height: 820 }, colorScheme: 'dark' });
  page = await context.newPage();
  problems = watchProblems(page);
  await page.goto(`${h.url}/`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 15_000 });
  await page.waitForSelector('.stream-state .dot.open', { timeout: 10_000 });
});

after(async () => {
  await browser?.close().catch(() => undefined);
  await app?.close();
  await h?.close();
});

async function compose(name: string, data: string): Promise<void> {
  await page.click('[data-action=compose]');
  const input = page.locator('input.event-name');
  await input.fill(name);
  await input.dispatchEvent('change');
  await page.waitForSelector('.composer:not([data-loading])');
  await page.locator('textarea.json-editor').fill(data);
  await page.locator('textarea.json-editor').press('Control+Enter');
}

const noteText = (sel: string) => page.textContent(sel).then((t) => (t ?? '').replace(/\s+/g, ' ').trim());

void test('the 2nd event of a batch: "2 of 3, starts in N s", counting down, then a link to the batch run', async () => {
  const [first] = await sendEvent(h.url, { name: 'pbuf/batch', data: { n: 1 } });
  // A payload that would be markup if it were ever parsed as HTML.
  await compose('pbuf/batch', '{ "n": 2, "note": "<img src=x onerror=alert(1)>" }');
  const open = '.buffer-note[data-state=open][data-rule=batchEvents]';
  await page.waitForSelector(open, { timeout: 10_000 });
  const text = await noteText(open);
  assert.match(text, /^buffered in batch for batcher, 2 of 3, starts in (\d+) s or when full$/);
  const secs = Number(/starts in (\d+) s/.exec(text)![1]);
  assert.ok(secs > 50 && secs <= 60, `due 60 s after the first event: ${secs}`);
  // It counts down by itself.
  await page.waitForFunction(([sel, n]) => {
    const m = /starts in (\d+) s/.exec(document.querySelector(sel as string)?.textContent ?? '');
    return !!m && Number(m[1]) < (n as number);
  }, [open, secs] as const, { timeout: 5000 });
  assert.equal(await page.$('img[src=x]'), null, 'nothing from the payload became markup');
  await page.screenshot({ path: join(SHOTS, 'panel-buffered.png') });

  // The 3rd event comes from elsewhere: the note follows the stream and links to the run.
  await sendEvent(h.url, { name: 'pbuf/batch', data: { n: 3 } });
  const started = '.buffer-note[data-state=started][data-rule=batchEvents]';
  await page.waitForSelector(started, { timeout: 10_000 });
  assert.match(await noteText(started), /^batch for batcher started run \S+ \(this event is 2 of 3\) Open run$/);
  const runId = (await page.getAttribute(`${started} button[data-run-id]`, 'data-run-id')) ?? '';
  const detail = (await api<EventDetail>(h.url, route('event', { id: first! }))).body;
  assert.equal(detail.runs[0]?.run.id, runId, 'the link is the batch run');
  // The run is listed with the runs this event started, though its own event is the batch's first.
  await page.waitForSelector(`.started-runs [data-run-id="${runId}"]`, { timeout: 10_000 });
  await page.click(`${started} button[data-run-id]`);
  await page.waitForSelector('.run-header h2', { timeout: 10_000 });
  assert.match((await page.textContent('.run-header')) ?? '', /batcher/);
  const run = await waitFor('the batch run to complete', async () => {
    const r = (await api<RunDetail>(h.url, route('run', { id: runId }))).body;
    return r.status === 'Completed' ? r : undefined;
  });
  assert.equal(run.output, 3);
});

void test('a debounced event: "debounced for <fn>, fires in N s", then a link to its run', async () => {
  await compose('pbuf/debounce', '{ "k": 1 }');
  const open = '.buffer-note[data-state=open][data-rule=debounce]';
  await page.waitForSelector(open, { timeout: 10_000 });
  assert.match(await noteText(open), /^debounced for debouncer, fires in [1-3] s$/);
  const started = '.buffer-note[data-state=started][data-rule=debounce]';
  await page.waitForSelector(started, { timeout: 15_000 });
  assert.match(await noteText(started), /^debounce for debouncer fired: run \S+ Open run$/);
  const runId = (await page.getAttribute(`${started} button[data-run-id]`, 'data-run-id')) ?? '';
  await page.waitForSelector(`.started-runs [data-run-id="${runId}"]`, { timeout: 10_000 });
  assert.deepEqual(problems, [], 'no page errors, console errors or CSP violations');
});
