// A clean stop and restart on the same data dir: a sleeping run keeps its wake time, a waiting
// run keeps waiting, and nothing stored runs again.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import type { RunDetail } from '../../runtime/api';
import { api, finishedRuns, sendEvent, serveApp, startExecutor, syncApp, waitFor, type AppServer, type Harness } from './helpers';

const counts = new Map<string, number>();
const bump = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
let app: AppServer | undefined;
let h: Harness | undefined;
let dir = '';

after(async () => {
  await app?.close();
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

void test('a sleeping and a waiting run survive a restart and finish with each step once', async () => {
  dir = await mkdtemp(join(tmpdir(), 'steplens-restart-'));
  h = await startExecutor({ dataDir: dir });
  // The app keeps its base URL through a mutable holder: the executor's port changes on restart.
  const target = { url: h.url };
  const client = new Inngest({ id: 'rs', isDev: true, baseUrl: h.url, fetch: ((input: string | URL, init?: RequestInit) => fetch(String(input).replace(/^http:\/\/127\.0\.0\.1:\d+/, target.url), init)) as typeof fetch });
  const sleeper = client.createFunction({ id: 'sleeper', triggers: [{ event: 'rs/sleep' }] }, async ({ step }) => {
    await step.run('before', () => bump('before'));
    await step.sleep('nap', '2s');
    await step.run('after', () => bump('after'));
    return 'ok';
  });
  const waiter = client.createFunction({ id: 'waiter', triggers: [{ event: 'rs/wait' }] }, async ({ step }) => {
    await step.run('w-before', () => bump('w-before'));
    const ev = await step.waitForEvent('go', { event: 'rs/go', timeout: '1m', if: 'event.data.k == async.data.k' });
    return (ev?.data as { k?: string } | undefined)?.k ?? null;
  });
  app = await serveApp(serve({ client, functions: [sleeper, waiter] }));
  await syncApp(h.url, app.url);
  const [sleepEv] = await sendEvent(h.url, { name: 'rs/sleep' });
  const [waitEv] = await sendEvent(h.url, { name: 'rs/wait', data: { k: 'key1' } });
  const stateOf = async (ev: string, status: string) => {
    const runs = (await api<{ data: { id: string }[] }>(h!.url, `/api/runs?eventId=${ev}`)).body.data;
    if (!runs[0]) return undefined;
    const d = (await api<RunDetail>(h!.url, `/api/runs/${runs[0].id}`)).body;
    return d.steps.find((s) => s.status === status) ? d : undefined;
  };
  const sleeping = await waitFor('the nap', () => stateOf(sleepEv!, 'sleeping'));
  await waitFor('the wait', () => stateOf(waitEv!, 'waiting'));
  const until = sleeping.steps.find((s) => s.status === 'sleeping')!.sleep!.until;

  await h.ex.dispose();
  h = await startExecutor({ dataDir: dir });
  target.url = h.url;
  const again = await waitFor('the nap after restart', () => stateOf(sleepEv!, 'sleeping'));
  assert.equal(again.steps.find((s) => s.status === 'sleeping')!.sleep!.until, until, 'the wake time is kept');
  await waitFor('the wait after restart', () => stateOf(waitEv!, 'waiting'));
  await syncApp(h.url, app.url);
  await sendEvent(h.url, { name: 'rs/go', data: { k: 'key1' } });
  const [s] = await finishedRuns(h.url, sleepEv!, 1, 20_000);
  const [w] = await finishedRuns(h.url, waitEv!, 1, 20_000);
  assert.equal(s!.status, 'Completed', JSON.stringify(s!.error));
  assert.ok(s!.endedAt! >= until, 'did not wake early');
  assert.equal(w!.output, 'key1');
  assert.deepEqual(Object.fromEntries(counts), { before: 1, after: 1, 'w-before': 1 });
});
