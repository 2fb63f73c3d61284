// FlowGlue wired into the real executor (runtime/executor.ts) by hand, as runtime/flow/README.md's
// integration plan describes, driving a real inngest v4 app over HTTP on 127.0.0.1. Time is a manual
// clock: the test moves it; HTTP and the SDK run for real. Outcomes are read from the executor's store.
//
// Two engine hooks the plan asks for do not exist yet, so this test supplies them from outside:
// the "queue item finished" callback (wrapping the scheduler's handler) and "set a run's hold".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import type { ExecutorToClient, RunHold } from '../../runtime/api';
import { Executor } from '../../runtime/executor';
import { runSummary } from '../../runtime/engine/views';
import type { QueueItem, RunRecord } from '../../runtime/model';
import { FlowControl } from '../../runtime/flow/index';
import { FlowGlue } from '../../runtime/flow/glue';

class ManualClock {
  t = Math.ceil(Date.now() / 60_000) * 60_000 + 1000; // just after a minute boundary
  private timers: { at: number; cb: () => void; live: boolean }[] = [];
  now = (): number => this.t;
  setTimer = (at: number, cb: () => void) => {
    const e = { at, cb, live: true };
    this.timers.push(e);
    if (at <= this.t) setImmediate(() => this.fire(e));
    return { cancel: () => void (e.live = false) };
  };
  private fire(e: { at: number; cb: () => void; live: boolean }): void {
    if (!e.live) return;
    e.live = false;
    e.cb();
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.at);
      this.fire(due);
    }
    this.t = end;
    this.timers = this.timers.filter((x) => x.live);
  }
}

const clock = new ManualClock();
let dir = '';
let ex: Executor;
let app: http.Server;
let glue: FlowGlue;
const messages: ExecutorToClient[] = [];
const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
function gate(id: string) {
  let g = gates.get(id);
  if (!g) {
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    g = { promise, open };
    gates.set(id, g);
  }
  return g;
}

async function until<T>(what: string, fn: () => T | undefined | false, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

const slug = (id: string) => `flowapp-${id}`;
const runsOf = (id: string): RunRecord[] => ex.store.listRuns({ functionId: slug(id), limit: 100 }).reverse();
const send = (name: string, data: Record<string, unknown> = {}) => ex.ingest.ingest([{ name, data, user: {}, ts: clock.now() }]);
const done = (r: RunRecord | undefined) => r && ['Completed', 'Failed', 'Cancelled'].includes(r.status);
const finished = (id: string, n: number) => until(`${n} finished run(s) of ${id}`, () => runsOf(id).filter(done).length >= n && runsOf(id));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'steplens-flow-'));
  ex = new Executor({ port: 0, host: '127.0.0.1', sdkUrls: [], discovery: false, dataDir: dir, pollIntervalMs: 1e12, clock });
  await ex.start();

  const inngest = new Inngest({ id: 'flowapp', isDev: true, baseUrl: ex.url });
  const fns = [
    inngest.createFunction({ id: 'throttled', triggers: [{ event: 'flow/throttle' }], throttle: { limit: 1, period: '10s' } }, async ({ event, step }) =>
      step.run('s', () => event.data.n as number),
    ),
    inngest.createFunction({ id: 'debounced', triggers: [{ event: 'flow/debounce' }], debounce: { period: '5s', timeout: '1m' } }, async ({ event }) => event.data.n as number),
    inngest.createFunction({ id: 'limited', triggers: [{ event: 'flow/ratelimit' }], rateLimit: { limit: 1, period: '1m' } }, async () => 'ok'),
    inngest.createFunction({ id: 'single', triggers: [{ event: 'flow/single' }], singleton: { mode: 'skip', key: 'event.data.user' } }, async ({ step }) => {
      await step.sleep('nap', '1m');
      return 'done';
    }),
    inngest.createFunction({ id: 'cancellable', triggers: [{ event: 'flow/start' }], cancelOn: [{ event: 'flow/stop', match: 'data.id' }] }, async ({ step }) => {
      await step.sleep('long', '1h');
      return 'not cancelled';
    }),
    inngest.createFunction({ id: 'serial', triggers: [{ event: 'flow/serial' }], concurrency: { limit: 1 } }, async ({ event, step }) =>
      step.run('work', async () => {
        await gate(String(event.data.id)).promise;
        return event.data.id as string;
      }),
    ),
    inngest.createFunction({ id: 'batched', triggers: [{ event: 'flow/batch' }], batchEvents: { maxSize: 3, timeout: '5s' } }, async ({ events }) =>
      events.map((e) => e.data.i as number),
    ),
    inngest.createFunction({ id: 'idem', triggers: [{ event: 'flow/idem' }], idempotency: 'event.data.order' }, async ({ event }) => event.data.order as number),
    inngest.createFunction({ id: 'ticker', triggers: [{ cron: '*/5 * * * *' }] }, async ({ event }) => event.name),
  ];
  const handler = serve({ client: inngest, functions: fns });
  app = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}/api/inngest`;

  // --- the wiring, as the README's integration plan says -------------------------------------------
  const flow = new FlowControl({ clock, newRunId: () => `flow-${Math.random().toString(36).slice(2)}` });
  glue = new FlowGlue(flow, {
    clock,
    startRun: (fnId, events) =>
      ex.store.tx(() => {
        const fn = ex.functions.get(fnId);
        const stored = events.map((e) => ex.store.findEventById(e.id, 0)).filter((e) => e !== undefined);
        return fn && stored.length ? (ex.engine.createRun(fn, stored)?.id ?? null) : null;
      }),
    cancelRun: (runId, reason) => void ex.engine.cancel(runId, reason),
    releaseItem: (id) => ex.engine.scheduler.release(id),
    setRunHold: (runId, hold: RunHold | undefined) => {
      const ar = ex.engine.load(runId);
      if (!ar) return;
      ar.rec.hold = hold;
      ex.store.putRun(ar.rec);
      ex.bus.emit({ type: 'run.updated', run: runSummary(ar.rec) });
    },
    fireCron: (fnId, event) =>
      ex.store.tx(() => {
        const stored = ex.ingest.publish(event.name, event.data, event.id);
        const fn = ex.functions.get(fnId);
        if (fn) ex.engine.createRun(fn, [stored]);
      }),
    persist: () => undefined,
  });
  ex.engine.admission = glue.admission;
  ex.engine.scheduler.gate = glue.gate;
  ex.bus.subscribe(glue.onBusMessage);
  ex.bus.subscribe((m) => void messages.push(m));
  // Missing engine hook: "a queue item finished executing".
  const sched = ex.engine.scheduler as unknown as { handler: (item: QueueItem) => Promise<void> };
  const inner = sched.handler;
  sched.handler = (item) => inner(item).finally(() => glue.itemFinished(item));

  await ex.sync.syncNow(appUrl);
  const r = glue.syncApp('flowapp', ex.functions.all().filter((f) => f.appId === 'flowapp'));
  assert.deepEqual(r.errors, []);
  glue.start();
});

after(async () => {
  for (const g of gates.values()) g.open();
  await glue?.dispose();
  await ex?.dispose();
  await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
  app?.closeAllConnections();
  if (dir) await rm(dir, { recursive: true, force: true });
});

void test('rateLimit: one run per period, the other events start nothing', async () => {
  send('flow/ratelimit');
  send('flow/ratelimit');
  send('flow/ratelimit');
  await finished('limited', 1);
  assert.equal(runsOf('limited').length, 1);
});

void test('idempotency: a second event with the same key starts nothing', async () => {
  send('flow/idem', { order: 7 });
  send('flow/idem', { order: 7 });
  send('flow/idem', { order: 8 });
  const runs = await finished('idem', 2);
  assert.deepEqual(runs.map((r) => r.output).sort(), [7, 8]);
});

void test('throttle: the second run waits, Queued with a throttle hold, until its slot', async () => {
  send('flow/throttle', { n: 1 });
  send('flow/throttle', { n: 2 });
  await finished('throttled', 1);
  const second = await until('the throttled run', () => runsOf('throttled').find((r) => r.status === 'Queued'));
  assert.equal(second.hold?.rule, 'throttle');
  assert.match(second.hold!.detail, /1 start per 10s/);
  assert.equal(second.hold!.until, second.queuedAt + 10_000);
  clock.advance(10_000);
  const runs = await finished('throttled', 2);
  assert.deepEqual(runs.map((r) => r.output), [1, 2]);
  assert.ok(runs[1]!.startedAt! >= runs[0]!.queuedAt + 10_000, 'started a period after the first');
});

void test('debounce: three events, one run, with the last event, after the quiet period', async () => {
  send('flow/debounce', { n: 1 });
  clock.advance(1000);
  send('flow/debounce', { n: 2 });
  clock.advance(1000);
  send('flow/debounce', { n: 3 });
  clock.advance(4999);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(runsOf('debounced').length, 0, 'no run before 5 s without events');
  clock.advance(1);
  const runs = await finished('debounced', 1);
  assert.equal(runs.length, 1);
  assert.equal(runs[0]!.output, 3);
});

void test('batchEvents: a full batch starts one run with every event; a partial one at the timeout', async () => {
  send('flow/batch', { i: 1 });
  send('flow/batch', { i: 2 });
  send('flow/batch', { i: 3 });
  await finished('batched', 1);
  assert.deepEqual(runsOf('batched')[0]!.output, [1, 2, 3]);
  assert.equal(runsOf('batched')[0]!.eventIds.length, 3);
  send('flow/batch', { i: 4 });
  clock.advance(5000);
  const runs = await finished('batched', 2);
  assert.deepEqual(runs[1]!.output, [4]);
});

void test('singleton skip: a second event while the run sleeps is skipped; after it, a new run starts', async () => {
  send('flow/single', { user: 'u' });
  await until('the singleton run to sleep', () => runsOf('single')[0]?.status === 'Running' && ex.engine.scheduler.itemsForRun(runsOf('single')[0]!.id).some((i) => i.kind === 'wake'));
  send('flow/single', { user: 'u' });
  assert.equal(runsOf('single').length, 1);
  clock.advance(60_000);
  await finished('single', 1);
  send('flow/single', { user: 'u' });
  await until('a new singleton run', () => runsOf('single').length === 2);
});

void test('cancelOn: a later matching event cancels only the run it matches, with the reason', async () => {
  send('flow/start', { id: 'a' });
  send('flow/start', { id: 'b' });
  await until('both runs sleeping', () => runsOf('cancellable').filter((r) => r.status === 'Running').length === 2);
  send('flow/stop', { id: 'a' });
  const runs = await finished('cancellable', 1);
  const a = runs.find((r) => r.status === 'Cancelled')!;
  assert.match(a.cancelReason ?? '', /cancelled by event flow\/stop/);
  assert.equal(runs.filter((r) => r.status === 'Running').length, 1, 'b is still sleeping');
});

void test('concurrency 1: the second run is held by the concurrency rule until the first step ends', async () => {
  gate('second').open();
  send('flow/serial', { id: 'first' });
  await until('the first run executing', () => {
    const r = runsOf('serial')[0];
    return r && (ex.engine.peek(r.id)?.inflight.size ?? 0) > 0;
  });
  send('flow/serial', { id: 'second' });
  await until('a concurrency hold', () => messages.some((m) => m.type === 'run.updated' && m.run.functionId === slug('serial') && m.run.hold?.rule === 'concurrency'));
  assert.equal(runsOf('serial').filter(done).length, 0);
  gate('first').open();
  const runs = await finished('serial', 2);
  assert.deepEqual(runs.map((r) => r.output), ['first', 'second']);
  assert.ok(runs[1]!.startedAt! >= runs[0]!.endedAt!, 'the second started after the first finished');
});

void test('cron: at the schedule time the function runs with inngest/scheduled.timer', async () => {
  const next = Math.ceil((clock.now() + 1) / 300_000) * 300_000;
  clock.advance(next - clock.now());
  const runs = await finished('ticker', 1);
  assert.equal(runs[0]!.output, 'inngest/scheduled.timer');
  assert.equal(runs[0]!.eventName, 'inngest/scheduled.timer');
});
