// Sequential runs end to end on a v3 app (classic protocol, request version 1).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Inngest as Inngest3 } from 'inngest-v3';
import { serve as serve3 } from 'inngest-v3/node';
import { finishedRuns, sendEvent, serveApp, startExecutor, syncApp, type AppServer, type Harness } from './helpers';

let h: Harness;
const apps: AppServer[] = [];
const counts = new Map<string, number>();
const bump = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);

before(async () => {
  h = await startExecutor();
  const c3 = new Inngest3({ id: 'seq3', isDev: true, baseUrl: h.url });
  const f3 = c3.createFunction({ id: 'seq' }, { event: 'seq3/go' }, async ({ event, step }) => {
    const a = await step.run('a', () => {
      bump('3a');
      return { n: (event.data as { n: number }).n + 1 };
    });
    const b = await step.run('b', () => {
      bump('3b');
      return a.n * 2;
    });
    return { a, b };
  });
  const par = c3.createFunction({ id: 'par2', optimizeParallelism: true }, { event: 'seq3/par' }, async ({ step }) => {
    const [x, y] = await Promise.all([step.run('x', () => (bump('3x'), 1)), step.run('y', () => (bump('3y'), 2))]);
    const z = await step.run('z', () => (bump('3z'), x + y));
    return { x, y, z };
  });
  apps.push(await serveApp(serve3({ client: c3, functions: [f3, par] })));
  for (const a of apps) await syncApp(h.url, a.url);
});

after(async () => {
  for (const a of apps) await a.close();
  await h.close();
});

void test('v3 sequential run completes, each step once', async () => {
  const [id] = await sendEvent(h.url, { name: 'seq3/go', data: { n: 5 } });
  const [run] = await finishedRuns(h.url, id!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  assert.deepEqual(run!.output, { a: { n: 6 }, b: 12 });
  assert.equal(counts.get('3a'), 1);
  assert.equal(counts.get('3b'), 1);
  assert.equal(run!.requestCount, 3);
});

void test('v3 with optimizeParallelism (request version 2): parallel steps coalesce into one discovery', async () => {
  const [id] = await sendEvent(h.url, { name: 'seq3/par' });
  const [run] = await finishedRuns(h.url, id!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  assert.deepEqual(run!.output, { x: 1, y: 2, z: 3 });
  assert.deepEqual([counts.get('3x'), counts.get('3y'), counts.get('3z')], [1, 1, 1]);
  assert.equal(run!.exchanges[1]!.requestVersion, 2, 'pinned to version 2');
  // plan x+y, run x, run y, one discovery that runs z inline (flag reset), then the 200.
  assert.equal(run!.requestCount, 5);
});
