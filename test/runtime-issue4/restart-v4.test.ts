// Flow-control state lives in the data dir: a debounce pending and a throttled run held when the
// executor stops are honoured by the next executor on the same dir (same port, same manual clock).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import { Executor } from '../../runtime/executor';
import type { RunRecord } from '../../runtime/model';
import { ManualClock, until } from './suite';

const clock = new ManualClock();
let dir = '';
let app: http.Server | undefined;
const executors: Executor[] = [];

after(async () => {
  for (const ex of executors) await ex.dispose();
  app?.closeAllConnections();
  await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

void test('a pending debounce and a throttle hold survive a restart of the executor', async () => {
  dir = await mkdtemp(join(tmpdir(), 'steplens-i4-restart-'));
  const start = async (port: number) => {
    const ex = new Executor({ port, host: '127.0.0.1', sdkUrls: [], discovery: false, dataDir: dir, pollIntervalMs: 1e12, clock });
    executors.push(ex);
    await ex.start();
    return ex;
  };
  const a = await start(0);
  const inngest = new Inngest({ id: 'i4r', isDev: true, baseUrl: a.url });
  const fns = [
    inngest.createFunction({ id: 'deb', triggers: [{ event: 'r/deb' }], debounce: { period: '5s' } }, async ({ event }) => event.data.n as number),
    inngest.createFunction({ id: 'thr', triggers: [{ event: 'r/thr' }], throttle: { limit: 1, period: '1m' } }, async ({ event }) => event.data.n as number),
  ];
  const handler = serve({ client: inngest, functions: fns });
  app = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => app!.listen(0, '127.0.0.1', r));
  await a.sync.syncNow(`http://127.0.0.1:${(app.address() as { port: number }).port}/api/inngest`);
  const send = (ex: Executor, name: string, n: number) => ex.ingest.ingest([{ name, data: { n }, user: {}, ts: clock.now() }]);
  const runs = (ex: Executor, fn: string): RunRecord[] => ex.store.listRuns({ functionId: `i4r-${fn}`, limit: 10 }).reverse();

  send(a, 'r/deb', 1);
  clock.advance(1000);
  send(a, 'r/deb', 2);
  send(a, 'r/thr', 1);
  send(a, 'r/thr', 2);
  await until('the first throttled run', () => runs(a, 'thr')[0]?.status === 'Completed');
  const held = await until('the throttle hold', () => runs(a, 'thr')[1]?.hold);
  assert.equal(held.rule, 'throttle');
  assert.equal(runs(a, 'deb').length, 0);
  const port = a.port;
  await a.dispose();

  const b = await start(port);
  clock.advance(4999);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(runs(b, 'deb').length, 0, 'the debounce period counts from the last event, across the restart');
  clock.advance(1);
  const deb = await until('the debounced run', () => runs(b, 'deb').find((r) => r.status === 'Completed'));
  assert.equal(deb.output, 2, 'the last event wins');
  assert.equal(runs(b, 'deb').length, 1);
  assert.equal(runs(b, 'thr')[1]!.status, 'Queued');
  clock.advance(60_000);
  const second = await until('the throttled run after its slot', () => runs(b, 'thr').find((r) => r.output === 2 && r.status === 'Completed'));
  assert.ok(second.startedAt! >= runs(b, 'thr')[0]!.startedAt! + 60_000, 'one start per minute');
});
