// FlowGlue against a small fake of the engine's hooks (admission, dispatch gate, bus, clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecutorToClient, RunHold, RunSummary } from '../../runtime/api';
import { FlowControl, type FlowEvent, type FlowState } from '../../runtime/flow/index';
import { FlowGlue, type GlueDeps, type GlueEvent, type GlueFunction } from '../../runtime/flow/glue';
import { M, S } from './helpers';

class TimerClock {
  t = Date.UTC(2026, 10, 30, 12, 0, 30);
  private timers: { at: number; cb: () => void; live: boolean }[] = [];
  now(): number {
    return this.t;
  }
  setTimer(at: number, cb: () => void) {
    const e = { at, cb, live: true };
    this.timers.push(e);
    return { cancel: () => void (e.live = false) };
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      due.live = false;
      this.t = Math.max(this.t, due.at);
      due.cb();
    }
    this.t = end;
  }
  armed(): number {
    return this.timers.filter((x) => x.live).length;
  }
}

/** Just enough engine: createRun asks admission, mints an id, emits run.created. */
function harness(fns: GlueFunction[]) {
  const clock = new TimerClock();
  let n = 0;
  const log = {
    started: [] as { fnId: string; events: FlowEvent[] }[],
    cancelled: [] as { runId: string; reason: string }[],
    released: [] as string[],
    holds: [] as { runId: string; hold: RunHold | undefined }[],
    crons: [] as { fnId: string; id: string }[],
    persisted: [] as FlowState[],
    runs: [] as string[],
  };
  const listeners: ((m: ExecutorToClient) => void)[] = [];
  const emit = (m: ExecutorToClient) => listeners.forEach((l) => l(m));
  const summary = (id: string, fnId: string, status: RunSummary['status'] = 'Queued'): RunSummary => ({
    id,
    functionId: fnId,
    functionName: fnId,
    appId: 'app',
    status,
    eventId: null,
    eventName: null,
    queuedAt: clock.now(),
    stepCount: 0,
    requestCount: 0,
  });
  const fnById = new Map(fns.map((f) => [f.id, f]));
  let glue!: FlowGlue;
  const createRun = (fnId: string, events: GlueEvent[]): string | null => {
    const v = glue.admission.admit(fnById.get(fnId)!, events);
    if (v.action === 'skip') return null;
    const id = `engine-run-${++n}`;
    log.runs.push(id);
    emit({ type: 'run.created', seq: 0, run: summary(id, fnId) });
    return id;
  };
  const deps: GlueDeps = {
    clock,
    startRun: (fnId, events) => {
      log.started.push({ fnId, events });
      return createRun(fnId, events.map((e) => ({ ...e, user: e.user ?? {} })));
    },
    cancelRun: (runId, reason) => void log.cancelled.push({ runId, reason }),
    releaseItem: (id) => void log.released.push(id),
    setRunHold: (runId, hold) => void log.holds.push({ runId, hold }),
    fireCron: (fnId, event) => {
      log.crons.push({ fnId, id: event.id });
      createRun(fnId, [{ ...event, user: {} }]);
    },
    persist: (s) => void log.persisted.push(JSON.parse(JSON.stringify(s))),
  };
  let ids = 0;
  const flow = new FlowControl({ clock, newRunId: () => `flow-${++ids}` });
  glue = new FlowGlue(flow, deps);
  listeners.push(glue.onBusMessage);
  const sync = glue.syncApp('app', fns);
  glue.start();
  let evn = 0;
  const send = (fnId: string, name: string, data: Record<string, unknown> = {}): string | null => {
    const e: GlueEvent = { name, data, id: `e${++evn}`, ts: clock.now(), user: {} };
    const r = createRun(fnId, [e]);
    emit({ type: 'event.received', seq: 0, event: { id: e.id, internalId: `I${evn}`, name, data, ts: e.ts, receivedAt: clock.now() } });
    return r;
  };
  return { clock, glue, flow, log, send, emit, summary, sync };
}

const fn = (id: string, config: Record<string, unknown>, triggers: GlueFunction['triggers'] = [{ event: 'x' }]): GlueFunction => ({ id, appId: 'app', triggers, config });

void test('throttle: the second run is held by the gate until its slot, and says so', () => {
  const h = harness([fn('t', { throttle: { limit: 1, period: '10s' } })]);
  const r1 = h.send('t', 'x')!;
  const r2 = h.send('t', 'x')!;
  assert.equal(h.glue.gate.check({ id: 'q1', runId: r1, kind: 'exec' }), null);
  const hold = h.glue.gate.check({ id: 'q2', runId: r2, kind: 'exec' });
  assert.equal(hold?.rule, 'throttle');
  assert.equal(hold?.until, h.clock.now() + 10 * S);
  assert.deepEqual(h.log.holds.at(-1), { runId: r2, hold });
  h.clock.advance(10 * S);
  assert.equal(h.glue.gate.check({ id: 'q2', runId: r2, kind: 'exec' }), null);
  assert.deepEqual(h.log.holds.at(-1), { runId: r2, hold: undefined }, 'the hold is cleared when it runs');
});

void test('concurrency: a held item is released when a slot frees; timers and wakes are not gated', () => {
  const h = harness([fn('c', { concurrency: 1 })]);
  const r1 = h.send('c', 'x')!;
  const r2 = h.send('c', 'x')!;
  assert.equal(h.glue.gate.check({ id: 'a', runId: r1, kind: 'exec' }), null);
  assert.equal(h.glue.gate.check({ id: 'b', runId: r2, kind: 'exec' })?.rule, 'concurrency');
  assert.equal(h.glue.gate.check({ id: 'w', runId: r2, kind: 'wake' }), null);
  h.glue.itemFinished({ id: 'a', runId: r1, kind: 'exec' });
  assert.deepEqual(h.log.released, ['b']);
  assert.equal(h.glue.gate.check({ id: 'b', runId: r2, kind: 'exec' }), null);
});

void test('debounce: events are merged, the timer starts one run with the last event', () => {
  const h = harness([fn('d', { debounce: { period: '5s' } })]);
  assert.equal(h.send('d', 'x', { n: 1 }), null);
  h.clock.advance(2 * S);
  assert.equal(h.send('d', 'x', { n: 2 }), null);
  h.clock.advance(4 * S);
  assert.equal(h.log.started.length, 0, 'still quiet for less than 5s');
  h.clock.advance(1 * S);
  assert.equal(h.log.started.length, 1);
  assert.deepEqual(h.log.started[0]!.events.map((e) => e.data.n), [2]);
  assert.equal(h.log.runs.length, 1);
  assert.ok(h.flow.run(h.log.runs[0]!), 'the flow run was re-keyed to the engine run id');
});

void test('batch: the run that fills the batch is created with every event', () => {
  const h = harness([fn('b', { batchEvents: { maxSize: 3, timeout: '5s' } })]);
  h.send('b', 'x', { i: 1 });
  h.send('b', 'x', { i: 2 });
  assert.equal(h.log.runs.length, 0);
  h.send('b', 'x', { i: 3 });
  assert.equal(h.log.runs.length, 1);
  assert.deepEqual(h.log.started[0]!.events.map((e) => e.data.i), [1, 2, 3]);
  h.send('b', 'x', { i: 4 });
  h.clock.advance(5 * S);
  assert.equal(h.log.runs.length, 2, 'the next batch starts at its timeout');
  assert.deepEqual(h.log.started[1]!.events.map((e) => e.data.i), [4]);
});

void test('singleton cancel and cancelOn call the engine to cancel, with reasons', () => {
  const h = harness([
    fn('s', { singleton: { mode: 'cancel', key: 'event.data.user' } }),
    fn('k', { cancel: [{ event: 'stop', if: 'event.data.user == async.data.user' }] }),
  ]);
  const r1 = h.send('s', 'x', { user: 'a' })!;
  h.send('s', 'x', { user: 'a' });
  assert.deepEqual(h.log.cancelled.map((c) => c.runId), [r1]);
  const k = h.send('k', 'go', { user: 'u1' })!;
  h.clock.advance(S);
  h.emit({ type: 'event.received', seq: 0, event: { id: 'stop-1', internalId: 'IS', name: 'stop', data: { user: 'u1' }, ts: h.clock.now(), receivedAt: h.clock.now() } });
  assert.equal(h.log.cancelled.at(-1)!.runId, k);
  assert.match(h.log.cancelled.at(-1)!.reason, /cancelled by event stop/);
});

void test('timeouts: start deadline cancels a run still queued; a started run gets a finish deadline', () => {
  const h = harness([fn('to', { timeouts: { start: '1m', finish: '2m' }, throttle: { limit: 1, period: '1h' } })]);
  const a = h.send('to', 'x')!;
  const b = h.send('to', 'x')!;
  h.emit({ type: 'run.updated', seq: 0, run: h.summary(a, 'to', 'Running') });
  h.clock.advance(M);
  assert.deepEqual(h.log.cancelled.map((c) => c.runId), [b]);
  assert.match(h.log.cancelled[0]!.reason, /timeouts.start/);
  h.clock.advance(M);
  assert.deepEqual(h.log.cancelled.map((c) => c.runId), [b, a]);
  assert.match(h.log.cancelled[1]!.reason, /timeouts.finish/);
});

void test('cron: the glue fires the scheduled timer through the engine, then re-arms', () => {
  const h = harness([fn('cr', {}, [{ cron: '* * * * *' }])]);
  h.clock.advance(30 * S); // 12:01:00
  assert.deepEqual(h.log.crons, [{ fnId: 'cr', id: '2026-11-30T12:01:00Z' }]);
  assert.equal(h.log.runs.length, 1);
  h.clock.advance(M);
  assert.equal(h.log.crons.length, 2);
});

void test('bad config at sync is reported and changes nothing; state is persisted as JSON', async () => {
  const h = harness([fn('bad', { throttle: { limit: 1, period: '10s', key: 'event.data.(' } }), fn('cr', {}, [{ cron: '* * * * *' }])]);
  assert.equal(h.sync.errors.length, 1);
  assert.equal(h.sync.errors[0]!.field, 'throttle.key');
  h.send('bad', 'x');
  await Promise.resolve();
  assert.ok(h.log.persisted.length >= 1);
  assert.equal(h.log.persisted.at(-1)!.version, 1);
  assert.ok(h.clock.armed() > 0, 'the cron timer is armed');
  await h.glue.dispose();
  assert.equal(h.clock.armed(), 0, 'dispose cancels every timer');
});

void test('app.synced: the glue re-reads the app\'s functions itself and reports config errors once', () => {
  const clock = new TimerClock();
  const warnings: string[] = [];
  const reported: string[][] = [];
  let fns: GlueFunction[] = [fn('f', { throttle: { limit: 1, period: '10s', key: 'event.data.(' } })];
  const glue = new FlowGlue(new FlowControl({ clock, newRunId: () => 'r' }), {
    clock,
    startRun: () => null,
    cancelRun: () => undefined,
    releaseItem: () => undefined,
    setRunHold: () => undefined,
    fireCron: () => undefined,
    persist: () => undefined,
    warn: (m) => void warnings.push(m),
    functionsOf: () => fns,
    onConfigErrors: (_app, errors) => void reported.push(errors.map((e) => e.field)),
  });
  const synced: ExecutorToClient = { type: 'app.synced', seq: 0, app: { id: 'app', url: 'u', state: 'synced', functionIds: ['f'], source: 'api' } };
  glue.onBusMessage(synced);
  glue.onBusMessage(synced);
  assert.deepEqual(reported, [['throttle.key']], 'reported once for the same errors');
  assert.equal(warnings.length, 1);
  assert.equal(glue.flow.config('f'), undefined, 'nothing registered from a bad config');
  fns = [fn('f', { throttle: { limit: 1, period: '10s', key: 'event.data.user' } })];
  glue.onBusMessage(synced);
  assert.deepEqual(reported.at(-1), [], 'fixed: an empty report clears it');
  assert.ok(glue.flow.config('f')?.throttle);
  glue.onBusMessage({ ...synced, app: { ...synced.app, state: 'error' } });
  assert.equal(reported.length, 2, 'a failed sync changes nothing');
});

void test('restart: a pending debounce and a start deadline from the persisted state are re-armed by start()', async () => {
  const h = harness([fn('d', { debounce: { period: '5s' } }), fn('to', { timeouts: { start: '1m' }, throttle: { limit: 1, period: '1h' } })]);
  h.send('d', 'x', { n: 1 });
  h.send('to', 'x');
  const held = h.send('to', 'x')!;
  await Promise.resolve();
  const saved = h.log.persisted.at(-1)!;
  await h.glue.dispose();

  // a new process: same clock, state from disk, no timers yet
  const started: FlowEvent[][] = [];
  const cancelled: string[] = [];
  const flow2 = new FlowControl({ clock: h.clock, newRunId: () => 'after-restart', state: saved });
  const glue2 = new FlowGlue(flow2, {
    clock: h.clock,
    startRun: (_fnId, events) => (started.push(events), 'engine-run-new'),
    cancelRun: (runId) => void cancelled.push(runId),
    releaseItem: () => undefined,
    setRunHold: () => undefined,
    fireCron: () => undefined,
    persist: () => undefined,
  });
  glue2.syncApp('app', [fn('d', { debounce: { period: '5s' } }), fn('to', { timeouts: { start: '1m' }, throttle: { limit: 1, period: '1h' } })]);
  glue2.start();
  h.clock.advance(5 * S);
  assert.deepEqual(started.map((evs) => evs.map((e) => e.data.n)), [[1]], 'the debounce fired after the restart');
  h.clock.advance(M);
  assert.ok(cancelled.includes(held), 'the start deadline of the throttled run still cancels it');
  await glue2.dispose();
});
