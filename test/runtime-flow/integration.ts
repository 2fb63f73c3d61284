// The flow-control integration suite: FlowGlue as the real executor wires it (runtime/wiring/flow.ts),
// following runtime/flow/README.md's integration plan, driving a real inngest app over HTTP
// on 127.0.0.1. engine-integration-v3.test.ts and -v4.test.ts run it, one SDK per process (the two
// SDKs share process-global state and cannot be loaded side by side). Time is a manual
// clock: the test moves it; HTTP and the SDK run for real. Outcomes are read from the executor's store.
//
// The executor now wires the glue itself (runtime/wiring/flow.ts); this suite checks that wiring.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorToClient } from '../../runtime/api';
import { Executor } from '../../runtime/executor';
import type { RunRecord } from '../../runtime/model';
import { type FlowGlue } from '../../runtime/flow/glue';
import { ManualClock } from '../../runtime/clock';

export type Sdk = 'v3' | 'v4';
/** Builds the app's request handler; `wait(id)` resolves when the test opens the gate `id`. */
export type MakeApp = (baseUrl: string, wait: (id: string) => Promise<void>) => (req: http.IncomingMessage, res: http.ServerResponse) => unknown;


export function flowIntegrationSuite(SDK: Sdk, makeApp: MakeApp): void {
  const clock = new ManualClock();
  let dir = '';
  let ex: Executor;
  const apps: http.Server[] = [];
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

  const SDKS = [SDK] as const;
  const slug = (sdk: Sdk, id: string) => `flowapp-${sdk}-${id}`;
  const runsOf = (sdk: Sdk, id: string): RunRecord[] => ex.store.listRuns({ functionId: slug(sdk, id), limit: 100 }).reverse();
  const send = (name: string, data: Record<string, unknown> = {}) => ex.ingest.ingest([{ name, data, user: {}, ts: clock.now() }]);
  const done = (r: RunRecord | undefined) => r && ['Completed', 'Failed', 'Cancelled'].includes(r.status);
  const finished = (sdk: Sdk, id: string, n: number) => until(`${n} finished run(s) of ${sdk} ${id}`, () => runsOf(sdk, id).filter(done).length >= n && runsOf(sdk, id));
  const both = <T>(f: (sdk: Sdk) => Promise<T>) => Promise.all(SDKS.map(f));

  async function listen(handler: (req: http.IncomingMessage, res: http.ServerResponse) => unknown): Promise<string> {
    const server = http.createServer((req, res) => void handler(req, res));
    apps.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as { port: number }).port}/api/inngest`;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steplens-flow-'));
    ex = new Executor({ port: 0, host: '127.0.0.1', sdkUrls: [], discovery: false, dataDir: dir, pollIntervalMs: 1e12, clock });
    await ex.start();

    const urls = { [SDK]: await listen(makeApp(ex.url, (id) => gate(`${SDK}:${id}`).promise)) } as Record<Sdk, string>;

    // The executor wires flow control itself (runtime/wiring/flow.ts, the README's integration plan).
    glue = ex.flow!.glue;
    ex.bus.subscribe((m) => void messages.push(m));
    // The glue re-reads flow settings on app.synced by itself (deps.functionsOf).
    for (const sdk of SDKS) {
      await ex.sync.syncNow(urls[sdk]);
      assert.deepEqual(ex.flow!.configErrors.get(`flowapp-${sdk}`) ?? [], [], `${sdk}: flow config accepted`);
      assert.equal(glue.flow.nextCronRuns(slug(sdk, 'ticker')).length, 1, `${sdk}: the cron is planned`);
      assert.ok(glue.flow.config(slug(sdk, 'throttled'))?.throttle, `${sdk}: throttle registered`);
    }
  });

  after(async () => {
    for (const g of gates.values()) g.open();
    await ex?.dispose();
    for (const a of apps) {
      a.closeAllConnections();
      await new Promise<void>((r) => a.close(() => r()));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  void test('rateLimit: one run per period, the other events start nothing', async () => {
    send('flow/ratelimit');
    send('flow/ratelimit');
    send('flow/ratelimit');
    await both(async (sdk) => {
      await finished(sdk, 'limited', 1);
      assert.equal(runsOf(sdk, 'limited').length, 1, sdk);
    });
  });

  void test('idempotency: a second event with the same key starts nothing', async () => {
    send('flow/idem', { order: 7 });
    send('flow/idem', { order: 7 });
    send('flow/idem', { order: 8 });
    await both(async (sdk) => {
      const runs = await finished(sdk, 'idem', 2);
      assert.deepEqual(runs.map((r) => r.output).sort(), [7, 8], sdk);
    });
  });

  void test('throttle: the second run waits, Queued with a throttle hold, until its slot', async () => {
    send('flow/throttle', { n: 1 });
    send('flow/throttle', { n: 2 });
    await both(async (sdk) => {
      await finished(sdk, 'throttled', 1);
      const second = await until(`the throttled ${sdk} run`, () => runsOf(sdk, 'throttled').find((r) => r.status === 'Queued'));
      assert.equal(second.hold?.rule, 'throttle');
      assert.match(second.hold!.detail, /1 start per 10s/);
      assert.equal(second.hold!.until, second.queuedAt + 10_000);
    });
    clock.advance(10_000);
    await both(async (sdk) => {
      const runs = await finished(sdk, 'throttled', 2);
      assert.deepEqual(runs.map((r) => r.output), [1, 2], sdk);
      assert.ok(runs[1]!.startedAt! >= runs[0]!.queuedAt + 10_000, `${sdk}: started a period after the first`);
    });
  });

  void test('debounce: three events, one run, with the last event, after the quiet period', async () => {
    send('flow/debounce', { n: 1 });
    clock.advance(1000);
    send('flow/debounce', { n: 2 });
    clock.advance(1000);
    send('flow/debounce', { n: 3 });
    clock.advance(4999);
    await new Promise((r) => setTimeout(r, 50));
    for (const sdk of SDKS) assert.equal(runsOf(sdk, 'debounced').length, 0, `${sdk}: no run before 5 s without events`);
    clock.advance(1);
    await both(async (sdk) => {
      const runs = await finished(sdk, 'debounced', 1);
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.output, 3, sdk);
    });
  });

  void test('batchEvents: a full batch starts one run with every event; a partial one at the timeout', async () => {
    send('flow/batch', { i: 1 });
    send('flow/batch', { i: 2 });
    send('flow/batch', { i: 3 });
    await both(async (sdk) => {
      await finished(sdk, 'batched', 1);
      assert.deepEqual(runsOf(sdk, 'batched')[0]!.output, [1, 2, 3], sdk);
      assert.equal(runsOf(sdk, 'batched')[0]!.eventIds.length, 3);
    });
    send('flow/batch', { i: 4 });
    clock.advance(5000);
    await both(async (sdk) => {
      const runs = await finished(sdk, 'batched', 2);
      assert.deepEqual(runs[1]!.output, [4], sdk);
    });
  });

  void test('singleton skip: a second event while the run sleeps is skipped; after it, a new run starts', async () => {
    send('flow/single', { user: 'u' });
    await both((sdk) =>
      until(`the ${sdk} singleton run to sleep`, () => {
        const r = runsOf(sdk, 'single')[0];
        return r?.status === 'Running' && ex.engine.scheduler.itemsForRun(r.id).some((i) => i.kind === 'wake');
      }),
    );
    send('flow/single', { user: 'u' });
    for (const sdk of SDKS) assert.equal(runsOf(sdk, 'single').length, 1, sdk);
    clock.advance(60_000);
    await both((sdk) => finished(sdk, 'single', 1));
    send('flow/single', { user: 'u' });
    await both((sdk) => until(`a new ${sdk} singleton run`, () => runsOf(sdk, 'single').length === 2));
  });

  void test('cancelOn: a later matching event cancels only the run it matches, with the reason', async () => {
    send('flow/start', { id: 'a' });
    send('flow/start', { id: 'b' });
    await both((sdk) => until(`both ${sdk} runs sleeping`, () => runsOf(sdk, 'cancellable').filter((r) => r.status === 'Running').length === 2));
    send('flow/stop', { id: 'a' });
    await both(async (sdk) => {
      const runs = await finished(sdk, 'cancellable', 1);
      const a = runs.find((r) => r.status === 'Cancelled')!;
      assert.match(a.cancelReason ?? '', /cancelled by event flow\/stop/);
      assert.equal(runs.filter((r) => r.status === 'Running').length, 1, `${sdk}: b is still sleeping`);
    });
  });

  void test('concurrency 1: the second run is held by the concurrency rule until the first step ends', async () => {
    for (const sdk of SDKS) gate(`${sdk}:second`).open();
    send('flow/serial', { id: 'first' });
    await both((sdk) =>
      until(`the first ${sdk} run executing`, () => {
        const r = runsOf(sdk, 'serial')[0];
        return r && (ex.engine.peek(r.id)?.inflight.size ?? 0) > 0;
      }),
    );
    send('flow/serial', { id: 'second' });
    await both((sdk) =>
      until(`a ${sdk} concurrency hold`, () => messages.some((m) => m.type === 'run.updated' && m.run.functionId === slug(sdk, 'serial') && m.run.hold?.rule === 'concurrency')),
    );
    for (const sdk of SDKS) assert.equal(runsOf(sdk, 'serial').filter(done).length, 0, sdk);
    for (const sdk of SDKS) gate(`${sdk}:first`).open();
    await both(async (sdk) => {
      const runs = await finished(sdk, 'serial', 2);
      assert.deepEqual(runs.map((r) => r.output), ['first', 'second'], sdk);
      assert.ok(runs[1]!.startedAt! >= runs[0]!.endedAt!, `${sdk}: the second started after the first finished`);
    });
  });

  void test('cron: at the schedule time the function runs with inngest/scheduled.timer', async () => {
    const next = Math.ceil((clock.now() + 1) / 300_000) * 300_000;
    clock.advance(next - clock.now());
    await both(async (sdk) => {
      const runs = await finished(sdk, 'ticker', 1);
      assert.equal(runs[0]!.output, 'inngest/scheduled.timer', sdk);
      assert.equal(runs[0]!.eventName, 'inngest/scheduled.timer');
    });
  });
}
