// Sequential runs end to end on a v4 app (checkpointed). v3 and v4 SDKs cannot share a process
// (both keep an AsyncLocalStorage under the same global symbol), hence one file per version.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Inngest as Inngest4 } from 'inngest-v4';
import { serve as serve4 } from 'inngest-v4/node';
import type { ExecutorToClient } from '../../runtime/api';
import { finishedRuns, sendEvent, serveApp, startExecutor, syncApp, type AppServer, type Harness } from './helpers';

let h: Harness;
const apps: AppServer[] = [];
const counts = new Map<string, number>();
const bump = (k: string): void => void counts.set(k, (counts.get(k) ?? 0) + 1);

before(async () => {
  h = await startExecutor();
  const c4 = new Inngest4({ id: 'seq4', isDev: true, baseUrl: h.url });
  const f4 = c4.createFunction({ id: 'seq', triggers: [{ event: 'seq4/go' }] }, async ({ event, step }) => {
    const a = await step.run('a', () => {
      bump('4a');
      return { n: (event.data as { n: number }).n + 1 };
    });
    const b = await step.run('b', () => {
      bump('4b');
      return a.n * 2;
    });
    await step.sleep('nap', '1s');
    return { a, b };
  });
  const big = c4.createFunction({ id: 'big', triggers: [{ event: 'seq4/big' }], checkpointing: false }, async ({ step }) => {
    const parts: number[] = [];
    for (const k of ['x', 'y', 'z']) parts.push((await step.run(k, () => k.repeat(1_600_000))).length);
    return parts;
  });
  apps.push(await serveApp(serve4({ client: c4, functions: [f4, big] })));
  for (const a of apps) await syncApp(h.url, a.url);
});

after(async () => {
  for (const a of apps) await a.close();
  await h.close();
});

void test('v4 sequential run with a sleep completes, each step once (checkpointed)', async () => {
  const msgs: ExecutorToClient[] = [];
  const unsubscribe = h.ex.bus.subscribe((m) => msgs.push(m));
  const [id] = await sendEvent(h.url, { name: 'seq4/go', data: { n: 1 } });
  const [run] = await finishedRuns(h.url, id!);
  unsubscribe();
  const mine = msgs.filter((m) => ('runId' in m && m.runId === run!.id) || ('run' in m && m.run.id === run!.id));
  const kinds = mine.map((m) => (m.type === 'step.started' || m.type === 'step.finished' ? `${m.type}:${m.step.userId}:${m.step.status}` : m.type));
  assert.equal(kinds[0], 'run.created');
  assert.equal(kinds.at(-1), 'run.finished');
  for (const k of ['step.finished:a:completed', 'step.finished:b:completed', 'step.started:nap:sleeping', 'step.finished:nap:completed']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
  const seqs = mine.map((m) => m.seq);
  assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'numbered in order');
  const started = mine.find((m) => m.type === 'step.started');
  assert.ok(started && started.type === 'step.started' && started.step.status === 'sleeping', 'messages are snapshots, not live objects');
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  assert.deepEqual(run!.output, { a: { n: 2 }, b: 4 });
  assert.equal(counts.get('4a'), 1);
  assert.equal(counts.get('4b'), 1);
  assert.ok(run!.exchanges.some((x) => x.ops.some((o) => o.checkpointed)), 'steps were checkpointed');
  assert.equal(run!.steps.length, 3);
});


void test('a state above 4 MB is fetched by the SDK through use_api (/v0/runs/{id}/actions)', async () => {
  const [id] = await sendEvent(h.url, { name: 'seq4/big' });
  const [run] = await finishedRuns(h.url, id!, 1, 60_000);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  assert.deepEqual(run!.output, [1_600_000, 1_600_000, 1_600_000]);
});
