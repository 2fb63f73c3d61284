// Issue 4 end to end: replay, cancellation, timeouts, cron, priority/singleton, runs queries and the
// live stream, on the real executor (in process, with a manual clock the test moves) driving a real
// inngest app over HTTP. One SDK per process (v3.test.ts, v4.test.ts): the two SDKs cannot share one.
// Everything is asked through the HTTP API of runtime/api.ts, as the panel would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { route, type ApiError, type EventRecord, type ExecutorToClient, type FunctionInfo, type Page, type RouteName, type RunDetail, type RunSummary } from '../../runtime/api';
import { Executor } from '../../runtime/executor';
import { createLogger } from '../../runtime/log';
import type { AppState } from './apps/functions';
import { ManualClock } from '../../runtime/clock';
export { ManualClock };

export type Sdk = 'v3' | 'v4';
export type MakeApp = (baseUrl: string, state: AppState, wait: (id: string) => Promise<void>) => (req: http.IncomingMessage, res: http.ServerResponse) => unknown;


export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function issue4Suite(SDK: Sdk, makeApp: MakeApp): void {
  const clock = new ManualClock();
  const state: AppState = { counters: {}, fixed: false, order: [] };
  const gates = new Map<string, { promise: Promise<void>; open: () => void }>();
  const gate = (id: string) => {
    let g = gates.get(id);
    if (!g) {
      let open!: () => void;
      const promise = new Promise<void>((r) => (open = r));
      gates.set(id, (g = { promise, open }));
    }
    return g;
  };
  let dir = '';
  let ex: Executor;
  let app: http.Server;
  let appUrl = '';
  const slug = (id: string) => `i4-${SDK}-${id}`;

  async function api<T>(method: string, name: RouteName, params: Record<string, string> = {}, body?: unknown, query = ''): Promise<{ status: number; body: T }> {
    const res = await fetch(ex.url + route(name, params) + query, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }
  const send = async (name: string, data: Record<string, unknown> = {}): Promise<string> => {
    const r = await api<{ ids: string[] }>('POST', 'eventApi', { key: 'test' }, { name, data });
    assert.equal(r.status, 200);
    return r.body.ids[0]!;
  };
  const runs = async (q: string) => (await api<Page<RunSummary>>('GET', 'runs', {}, undefined, q)).body;
  const detail = async (id: string) => (await api<RunDetail>('GET', 'run', { id })).body;
  const runOf = (eventId: string, fn: string) => until(`a run of ${fn}`, async () => (await runs(`?eventId=${eventId}&functionId=${slug(fn)}`)).data[0]);
  const TERMINAL = ['Completed', 'Failed', 'Cancelled'];
  const settled = (id: string) => until(`run ${id} to finish`, async () => ((await detail(id)) as RunDetail | undefined)?.status && TERMINAL.includes((await detail(id)).status) && detail(id));
  const stepState = (id: string, stepUserId: string, status: string) =>
    until(`${stepUserId} of ${id} ${status}`, async () => (await detail(id)).steps.some((s) => s.userId === stepUserId && s.status === status));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'steplens-i4-'));
    const log = process.env.STEPLENS_TEST_LOG ? createLogger((l) => process.stderr.write(l + '\n'), 'debug') : undefined;
    ex = new Executor({ port: 0, host: '127.0.0.1', sdkUrls: [], discovery: false, dataDir: dir, pollIntervalMs: 1e12, clock, log });
    await ex.start();
    const handler = makeApp(ex.url, state, (id) => gate(id).promise);
    app = http.createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const url = (appUrl = `http://127.0.0.1:${(app.address() as { port: number }).port}/api/inngest`);
    const synced = await api<{ state: string }>('POST', 'appsSync', {}, { url });
    assert.equal(synced.body.state, 'synced', JSON.stringify(synced.body));
  });

  after(async () => {
    for (const g of gates.values()) g.open();
    await ex?.dispose();
    app?.closeAllConnections();
    await new Promise<void>((r) => (app ? app.close(() => r()) : r()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  void test('rerun from the failed step after a code fix: earlier steps are memoized, not executed again', async () => {
    state.fixed = false;
    const failed = await settled((await runOf(await send('i4/fix', { n: 4 }), 'fixable')).id);
    assert.equal(failed.status, 'Failed');
    assert.deepEqual([state.counters.a, state.counters.b, state.counters.c], [1, 1, 1]);
    const before = await detail(failed.id);
    state.fixed = true; // the "code change"
    const res = await api<{ runId: string }>('POST', 'runRerun', { id: failed.id }, { fromStepId: 'c' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const rerun = await settled(res.body.runId);
    assert.equal(rerun.status, 'Completed');
    assert.deepEqual(rerun.output, { a: 1, b: 40, c: '1+40', n: 4 });
    assert.deepEqual([state.counters.a, state.counters.b, state.counters.c], [1, 1, 2], 'a and b ran once in all; c ran again');
    assert.deepEqual(rerun.rerunOf, { runId: failed.id, fromStepId: before.steps.find((s) => s.userId === 'c')!.hashedId });
    const memo = Object.fromEntries(rerun.steps.map((s) => [s.userId, s.memoizedFrom]));
    assert.deepEqual(memo, { a: failed.id, b: failed.id, c: undefined });
    // The original's record is unchanged, and it lists the rerun.
    const afterwards = await detail(failed.id);
    assert.deepEqual({ ...afterwards, reruns: [] }, { ...before, reruns: [] });
    assert.deepEqual(afterwards.reruns, [rerun.id]);
  });

  void test('rerun from the failure when the handler failed after its last step: every completed step is kept', async () => {
    state.fixed = false;
    const failed = await settled((await runOf(await send('i4/tail'), 'tail-fail')).id);
    assert.equal(failed.status, 'Failed');
    assert.deepEqual([state.counters.ta, state.counters.tb], [1, 1]);
    state.fixed = true;
    const both = await api('POST', 'runRerun', { id: failed.id }, { fromFailure: true, fromStepId: 'ta' });
    assert.equal(both.status, 400, 'fromStepId and fromFailure together are refused');
    const res = await api<{ runId: string }>('POST', 'runRerun', { id: failed.id }, { fromFailure: true });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const rerun = await settled(res.body.runId);
    assert.equal(rerun.status, 'Completed', JSON.stringify(rerun.error));
    assert.equal(rerun.output, 'ab');
    assert.deepEqual([state.counters.ta, state.counters.tb], [1, 1], 'no step ran again');
    assert.deepEqual(rerun.rerunOf, { runId: failed.id, fromFailure: true });
    assert.deepEqual(Object.fromEntries(rerun.steps.map((s) => [s.userId, s.memoizedFrom])), { ta: failed.id, tb: failed.id });
  });

  void test('rerun from the start with an edited payload; rerun from a step with an edited earlier output', async () => {
    state.fixed = true;
    const eventId = await send('i4/fix', { n: 1 });
    const orig = await settled((await runOf(eventId, 'fixable')).id);
    assert.equal(orig.status, 'Completed');
    const c0 = { ...state.counters };
    const r1 = await api<{ runId: string }>('POST', 'runRerun', { id: orig.id }, { eventData: { n: 7 } });
    const fresh = await settled(r1.body.runId);
    assert.deepEqual(fresh.output, { a: 1, b: 70, c: '1+70', n: 7 });
    assert.equal(state.counters.a, c0.a! + 1, 'from the start: every step runs');
    assert.equal(fresh.event?.data.n, 7);
    assert.equal((await detail(orig.id)).event?.data.n, 1, 'the original event is untouched');
    const r2 = await api<{ runId: string }>('POST', 'runRerun', { id: orig.id }, { fromStepId: 'c', stepOutputs: { b: 99 } });
    const edited = await settled(r2.body.runId);
    assert.deepEqual(edited.output, { a: 1, b: 99, c: '1+99', n: 1 });
    assert.equal(state.counters.b, c0.b! + 1, 'b was not executed for the edited rerun');
    assert.deepEqual((await detail(orig.id)).reruns, [fresh.id, edited.id]);
    // Same event again: reruns bypass admission (the original event id would otherwise be a repeat).
    const r3 = await api<{ runId: string }>('POST', 'runRerun', { id: orig.id });
    assert.equal((await settled(r3.body.runId)).status, 'Completed');
  });

  void test('bad rerun input: clear 4xx, nothing created', async () => {
    const orig = (await runs(`?functionId=${slug('fixable')}&status=Completed&limit=1`)).data[0]!;
    const count = async () => (await runs(`?functionId=${slug('fixable')}&limit=500`)).data.length;
    const n = await count();
    const cases: [unknown, number, RegExp][] = [
      [{ fromStepId: 'nope' }, 404, /no step nope/],
      ['{"fromStepId": ', 400, /not valid JSON/],
      [{ stepOutputs: { a: 1 } }, 400, /needs "fromStepId"/],
      [{ fromStepId: 'b', stepOutputs: { c: 1 } }, 400, /runs again/],
      [{ fromStepId: 'c', stepOutputs: { zz: 1 } }, 404, /no step zz/],
      [{ eventData: [1] }, 400, /eventData/],
    ];
    for (const [body, status, re] of cases) {
      const r = await api<ApiError>('POST', 'runRerun', { id: orig.id }, body);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match(r.body.error, re);
    }
    assert.equal((await api<ApiError>('POST', 'runRerun', { id: 'no-such-run' }, {})).status, 404);
    assert.equal(await count(), n, 'no run was created');
  });

  void test('skip a sleep and resolve a wait by hand, without moving the clock', async () => {
    const s = await runOf(await send('i4/sleep'), 'sleeper');
    await stepState(s.id, 'nap', 'sleeping');
    assert.equal((await api('POST', 'stepSkipSleep', { id: s.id, stepId: 'nope' })).status, 404);
    const nap = (await detail(s.id)).steps.find((x) => x.userId === 'nap')!;
    assert.equal(nap.kind, 'sleep');
    assert.equal(nap.sleep?.until, nap.startedAt! + 3600_000, 'the timeline shows when the sleep ends');
    // The summary says what the run is paused on, in lists too (no spinner for a run asleep for an hour).
    const asleep = await detail(s.id);
    assert.deepEqual(asleep.paused, { kind: 'sleep', step: 'nap', until: nap.sleep?.until });
    const listed = (await api<Page<RunSummary>>('GET', 'runs', {}, undefined, `?functionId=${encodeURIComponent(s.functionId)}`)).body.data.find((r) => r.id === s.id);
    assert.deepEqual(listed?.paused, asleep.paused);
    assert.equal((await api('POST', 'stepSkipSleep', { id: s.id, stepId: 'nap' })).status, 200);
    assert.equal((await settled(s.id)).output, 'woke');
    assert.equal((await detail(s.id)).paused, undefined, 'a finished run is paused on nothing');
    const w = await runOf(await send('i4/wait'), 'waiter');
    await stepState(w.id, 'approval', 'waiting');
    const approval = (await detail(w.id)).steps.find((x) => x.userId === 'approval')!;
    assert.deepEqual([approval.kind, approval.wait?.event, approval.wait?.expiresAt], ['waitForEvent', 'i4/approved', approval.startedAt! + 3600_000]);
    assert.deepEqual((await detail(w.id)).paused, { kind: 'waitForEvent', step: 'approval', until: approval.wait?.expiresAt, on: 'i4/approved' });
    assert.equal((await api('POST', 'stepResolveWait', { id: w.id, stepId: 'approval' }, { event: 5 })).status, 400);
    assert.equal((await api('POST', 'stepResolveWait', { id: w.id, stepId: 'approval' }, { event: { data: { ok: 1 } } })).status, 200);
    assert.deepEqual((await settled(w.id)).output, { got: { ok: 1 } });
    const w2 = await runOf(await send('i4/wait'), 'waiter');
    await stepState(w2.id, 'approval', 'waiting');
    await api('POST', 'stepResolveWait', { id: w2.id, stepId: 'approval' }, { event: null });
    assert.equal((await settled(w2.id)).output, 'timed out');
  });

  void test('cancel by API (DELETE /v1/runs and runCancel): stops, says why, publishes function.cancelled and .finished', async () => {
    const a = await runOf(await send('i4/sleep'), 'sleeper');
    const b = await runOf(await send('i4/sleep'), 'sleeper');
    await stepState(a.id, 'nap', 'sleeping');
    await stepState(b.id, 'nap', 'sleeping');
    const after0 = state.counters['sleeper.after'] ?? 0;
    assert.equal((await api('DELETE', 'v1Run', { id: a.id })).status, 200);
    assert.equal((await api('POST', 'runCancel', { id: b.id })).status, 200);
    for (const id of [a.id, b.id]) {
      const d = await settled(id);
      assert.equal(d.status, 'Cancelled');
      assert.match(d.cancelReason ?? '', /cancelled/);
      assert.equal(d.steps.find((s) => s.userId === 'nap')?.status, 'cancelled');
    }
    clock.advance(3600_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(state.counters['sleeper.after'] ?? 0, after0, 'no step ran after the cancel');
    for (const name of ['inngest/function.cancelled', 'inngest/function.finished']) {
      const evs = (await api<Page<EventRecord>>('GET', 'events', {}, undefined, `?name=${name}&limit=200`)).body.data;
      assert.ok(evs.some((e) => e.data.run_id === a.id) && evs.some((e) => e.data.run_id === b.id), name);
    }
    assert.equal((await api('DELETE', 'v1Run', { id: 'nope' })).status, 404);
  });

  void test('a run cancelled while a step executes stops at the next step boundary', async () => {
    const r = await runOf(await send('i4/mid', { id: 'm1' }), 'midstep');
    await until('the slow step executing', () => state.counters['midstep.slow'] === 1);
    assert.equal((await api('POST', 'runCancel', { id: r.id })).status, 200);
    assert.equal((await detail(r.id)).status, 'Cancelled');
    gate('mid-m1').open();
    // The app's answer (v3) or checkpoint (v4) for the slow step arrives after the cancel.
    await until('the slow step to return', async () => (await detail(r.id)).exchanges.length >= 1 && (await detail(r.id)).exchanges.every((x) => x.status !== null));
    await new Promise((res) => setTimeout(res, 300));
    const d = await detail(r.id);
    assert.equal(d.status, 'Cancelled');
    assert.equal(state.counters['midstep.next'] ?? 0, 0, 'the step after the cancel never ran');
    assert.match(d.cancelReason ?? '', /cancelled/);
  });

  void test('cancelOn with if, and its timeout; timeouts.finish; timeouts.start', async () => {
    const x = await runOf(await send('i4/go', { id: 'x' }), 'cancel-on');
    const y = await runOf(await send('i4/go', { id: 'y' }), 'cancel-on');
    await stepState(x.id, 'nap', 'sleeping');
    await stepState(y.id, 'nap', 'sleeping');
    await send('i4/stop', { id: 'x' });
    assert.match((await settled(x.id)).cancelReason ?? '', /i4\/stop/);
    clock.advance(31_000); // past the cancelOn timeout: a later stop no longer cancels y
    await send('i4/stop', { id: 'y' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await detail(y.id)).status, 'Running');

    const f = await runOf(await send('i4/finish'), 'finisher');
    await stepState(f.id, 'long', 'sleeping');
    clock.advance(10_000);
    const fd = await settled(f.id);
    assert.equal(fd.status, 'Cancelled');
    assert.match(fd.cancelReason ?? '', /finish/);

    const s1 = await runOf(await send('i4/start'), 'starter');
    assert.equal((await settled(s1.id)).status, 'Completed');
    const s2 = await runOf(await send('i4/start'), 'starter');
    const held = await until('the throttle hold', async () => (await detail(s2.id)).hold);
    assert.equal(held.rule, 'throttle');
    assert.equal((await detail(s2.id)).status, 'Queued');
    clock.advance(5_000);
    const sd = await settled(s2.id);
    assert.equal(sd.status, 'Cancelled');
    assert.match(sd.cancelReason ?? '', /start/);
    assert.equal(sd.requestCount, 0, 'it never called the app');
  });

  void test('timeouts.start counts from the first request leaving, not from its answer', async () => {
    const r = await runOf(await send('i4/slow-start'), 'slow-starter');
    await until('the slow first request in flight', () => (ex.engine.peek(r.id)?.inflight.size ?? 0) > 0);
    clock.advance(6_000); // past timeouts.start while the first request is still out
    await new Promise((res) => setTimeout(res, 100));
    assert.equal((await detail(r.id)).status, 'Running', 'a run whose first request is out has started');
    gate('slow-start').open();
    const done = await settled(r.id);
    assert.equal(done.status, 'Completed', JSON.stringify(done.error ?? done.cancelReason));
  });

  void test('cron with TZ: nextCronRuns, fires as inngest/scheduled.timer; invoke by hand', async () => {
    const fns = (await api<{ data: FunctionInfo[] }>('GET', 'functions')).body.data;
    const ticker = fns.find((f) => f.id === slug('ticker'))!;
    const next = ticker.nextCronRuns?.[0];
    assert.ok(next, 'nextCronRuns is set');
    const paris = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hour12: false }).format(next);
    assert.equal(paris, '09:00');
    assert.ok(next > clock.now() && next <= clock.now() + 24 * 3600_000);
    const inv = await api<{ runId: string }>('POST', 'functionInvoke', { id: ticker.id }, { data: { by: 'hand' } });
    assert.equal(inv.status, 200);
    const manual = await settled(inv.body.runId);
    assert.equal(manual.output, 'inngest/function.invoked');
    clock.advance(next - clock.now());
    const fired = await until('the cron run', async () => (await runs(`?functionId=${ticker.id}`)).data.find((r) => r.eventName === 'inngest/scheduled.timer'));
    const fd = await settled(fired.id);
    assert.equal(fd.output, 'inngest/scheduled.timer');
    assert.equal(fd.event?.data.cron, 'TZ=Europe/Paris 0 9 * * *');
  });

  void test('priority orders waiting runs under concurrency 1; singleton cancel replaces the active run', async () => {
    const first = await runOf(await send('i4/prio', { id: 'first', p: 0 }), 'prio');
    await until('the first prio step running', () => (ex.engine.peek(first.id)?.inflight.size ?? 0) > 0);
    const low = await runOf(await send('i4/prio', { id: 'low', p: 0 }), 'prio');
    clock.advance(1_000); // queued later than low: only its priority can put it first
    const high = await runOf(await send('i4/prio', { id: 'high', p: 600 }), 'prio');
    for (const r of [low, high]) assert.equal((await until(`${r.id} held`, async () => (await detail(r.id)).hold)).rule, 'concurrency');
    gate('low').open();
    gate('high').open();
    gate('first').open();
    for (const r of [first, low, high]) await settled(r.id);
    assert.deepEqual(state.order.slice(-3), ['first', 'high', 'low']);

    const old = await runOf(await send('i4/single', { user: 'u' }), 'single-cancel');
    await stepState(old.id, 'nap', 'sleeping');
    await send('i4/single', { user: 'u' });
    const fresh = await until('the second singleton run', async () => (await runs(`?functionId=${slug('single-cancel')}`)).data.find((r) => r.id !== old.id));
    assert.match((await settled(old.id)).cancelReason ?? '', /singleton/);
    assert.notEqual((await detail(fresh.id)).status, 'Cancelled');
  });

  void test('a flow key expression that does not compile and a malformed cron are reported on the function; nothing else changes', async () => {
    const fns = (await api<{ data: FunctionInfo[] }>('GET', 'functions')).body.data;
    const bad = fns.find((f) => f.id === slug('badkey'))!;
    assert.match(bad.configErrors?.join() ?? '', /rateLimit\.key: expression "event\.data\.\(" does not compile/);
    const cron = fns.find((f) => f.id === slug('badcron'))!;
    assert.match(cron.configErrors?.join() ?? '', /cron/);
    assert.equal(cron.nextCronRuns, undefined, 'a malformed cron is not scheduled');
    assert.equal(fns.find((f) => f.id === slug('fixable'))!.configErrors, undefined);
    const r = await runOf(await send('i4/badkey'), 'badkey');
    assert.equal((await settled(r.id)).status, 'Completed');
  });

  void test('runs: filters (function, status, event, time), cursor paging newest first; events page', async () => {
    const all = (await runs(`?functionId=${slug('fixable')}&limit=500`)).data;
    assert.ok(all.length >= 5);
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.queuedAt >= all[i]!.queuedAt, 'newest first');
    const paged: RunSummary[] = [];
    let cursor: string | undefined;
    do {
      const p = await runs(`?functionId=${slug('fixable')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      paged.push(...p.data);
      cursor = p.nextCursor;
    } while (cursor);
    assert.deepEqual(paged.map((r) => r.id), all.map((r) => r.id));
    const failed = (await runs(`?functionId=${slug('fixable')}&status=Failed`)).data;
    assert.ok(failed.length >= 1 && failed.every((r) => r.status === 'Failed'));
    const one = all[all.length - 1]!;
    const byEvent = (await runs(`?eventId=${one.eventId}&functionId=${slug('fixable')}`)).data;
    assert.ok(byEvent.some((r) => r.id === one.id) && byEvent.every((r) => r.eventId === one.eventId) && byEvent.length < all.length);
    const windowed = (await runs(`?functionId=${slug('fixable')}&from=${one.queuedAt}&to=${one.queuedAt}`)).data;
    assert.ok(windowed.length >= 1 && windowed.every((r) => r.queuedAt === one.queuedAt));
    assert.equal((await api('GET', 'runs', {}, undefined, '?status=Bogus')).status, 400);
    assert.equal((await api('GET', 'runs', {}, undefined, '?cursor=%%%')).status, 400);
    const d = await detail(failed[0]!.id);
    const c = d.steps.find((s) => s.userId === 'c')!;
    assert.equal(c.status, 'failed');
    assert.ok(c.attempts.length >= 1 && c.error?.message.includes('broken'));
    assert.ok(d.exchanges.length >= 1 && d.exchanges.every((x) => typeof x.status === 'number'));
    const evs = (await api<Page<EventRecord>>('GET', 'events', {}, undefined, '?name=i4/fix&limit=1')).body;
    assert.equal(evs.data.length, 1);
    assert.ok(evs.nextCursor);
  });

  void test('live stream: subscribe since, replay of what was missed, live order, guards', async () => {
    const open = (headers: Record<string, string> = {}) => new WebSocket(ex.url.replace('http', 'ws') + route('stream'), { headers });
    const refused = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = open(headers);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
    assert.equal(await refused({ origin: 'http://evil.example' }), 403);
    assert.equal(await refused({ host: 'evil.example' }), 403);

    const got: ExecutorToClient[] = [];
    const ws = open({ origin: 'http://127.0.0.1' });
    ws.on('message', (d) => got.push(JSON.parse(String(d)) as ExecutorToClient));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'subscribe' }));
    await until('hello', () => got.find((m) => m.type === 'hello'));
    await api('POST', 'appsSync', {}, { url: appUrl });
    const synced = await until('app.synced', () => got.find((m) => m.type === 'app.synced'));
    assert.equal(synced.type === 'app.synced' && synced.app.id, `i4-${SDK}`);
    const eventId = await send('i4/sleep');
    const run = await runOf(eventId, 'sleeper');
    await until('the sleep on the stream', () => got.some((m) => m.type === 'step.started' && m.runId === run.id && m.step.status === 'sleeping'));
    const types = got.filter((m) => ('runId' in m && m.runId === run.id) || ('run' in m && m.run.id === run.id) || (m.type === 'event.received' && m.event.internalId === eventId)).map((m) => m.type);
    assert.deepEqual(types.slice(0, 2), ['event.received', 'run.created'], types.join(','));
    assert.ok(types.indexOf('run.created') < types.indexOf('step.finished'), types.join(','));
    const seqs = got.map((m) => m.seq).slice(1);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1, 'no gaps, in order');
    ws.close();

    // Reconnect after missing the wake-up and the finish: they are replayed first.
    const last = got[got.length - 1]!.seq;
    await api('POST', 'stepSkipSleep', { id: run.id, stepId: 'nap' });
    await settled(run.id);
    const again: ExecutorToClient[] = [];
    const ws2 = open();
    ws2.on('message', (d) => again.push(JSON.parse(String(d)) as ExecutorToClient));
    await new Promise((r) => ws2.once('open', r));
    ws2.send(JSON.stringify({ type: 'subscribe', since: last }));
    await until('the missed run.finished', () => again.some((m) => m.type === 'run.finished' && m.run.id === run.id));
    assert.equal(again.filter((m) => m.type !== 'hello')[0]!.seq, last + 1);
    // A since from before a restart (beyond the last seq) asks the client to resync.
    const ws3 = open();
    const third: ExecutorToClient[] = [];
    ws3.on('message', (d) => third.push(JSON.parse(String(d)) as ExecutorToClient));
    await new Promise((r) => ws3.once('open', r));
    ws3.send(JSON.stringify({ type: 'subscribe', since: 1e9 }));
    await until('resync', () => third.some((m) => m.type === 'resync'));
    ws2.close();
    ws3.close();
  });
}
