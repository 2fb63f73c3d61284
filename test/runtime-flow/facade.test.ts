import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowControl, FlowConfigError, type EventDecision, type FlowFunctionInput } from '../../runtime/flow/index';
import { FakeClock, ev, ids, S, M, H } from './helpers';

function setup(fns: FlowFunctionInput[], appId = 'app') {
  const clock = new FakeClock();
  const flow = new FlowControl({ clock, newRunId: ids() });
  const sync = flow.syncApp(appId, fns);
  return { clock, flow, sync };
}

function started(d: EventDecision): Extract<EventDecision, { kind: 'start' }> {
  assert.equal(d.kind, 'start', `expected start, got ${JSON.stringify(d)}`);
  return d as Extract<EventDecision, { kind: 'start' }>;
}

// The kitchen-sink registration from PROTOCOL §2.3, verbatim.
const kitchen: FlowFunctionInput = {
  id: 'probe-app-kitchen-fn',
  triggers: [{ event: 'demo/kitchen', expression: 'event.data.ok == true' }, { cron: 'TZ=UTC */5 * * * *' }],
  config: {
    idempotency: 'event.data.user',
    rateLimit: { limit: 1, period: '10s', key: 'event.data.user' },
    throttle: { limit: 5, period: '1m', key: 'event.data.user', burst: 2 },
    concurrency: [{ limit: 2, key: 'event.data.user' }, { limit: 10, scope: 'account', key: '"global"' }],
    debounce: { period: '5s', key: 'event.data.user', timeout: '1m' },
    priority: { run: 'event.data.vip ? 120 : 0' },
    timeouts: { start: '1m', finish: '5m' },
    cancel: [{ event: 'demo/cancel', timeout: '1h', if: 'event.data.user == async.data.user' }],
  },
};
const batchFn: FlowFunctionInput = {
  id: 'probe-app-batch-fn',
  triggers: [{ event: 'demo/batch' }],
  config: { batchEvents: { maxSize: 10, timeout: '5s', key: 'event.data.user' }, singleton: { key: 'event.data.user', mode: 'skip' } },
};

void test('the registrations from PROTOCOL §2.3 are accepted and planned', () => {
  const { flow, sync } = setup([kitchen, batchFn]);
  assert.deepEqual(sync.errors, []);
  assert.equal(sync.crons.length, 1);
  assert.equal(sync.crons[0]!.fnId, 'probe-app-kitchen-fn');
  const cfg = flow.config('probe-app-kitchen-fn')!;
  assert.equal(cfg.concurrency.length, 2);
  assert.equal(cfg.throttle?.burst, 2);
  assert.equal(cfg.debounce?.timeoutMs, M);
  assert.equal(cfg.cancel[0]!.timeoutMs, H);
  assert.equal(cfg.timeouts.startMs, M);
});

void test('bad configs: a clear error per field, and nothing changes (previous settings stay)', () => {
  const { flow } = setup([{ id: 'f', config: { throttle: { limit: 1, period: '10s' } } }]);
  const before = flow.config('f');
  const r = flow.syncApp('app', [
    {
      id: 'f',
      triggers: [{ cron: '61 * * * *' }],
      config: { throttle: { limit: 1, period: '10s', key: 'event.data.(' }, concurrency: [{ limit: 1 }, { limit: 2 }, { limit: 3 }], singleton: { mode: 'sometimes' } },
    },
  ]);
  const fields = r.errors.map((e) => e.field).sort();
  assert.deepEqual(fields, ['concurrency', 'singleton.mode', 'throttle.key', 'triggers[0].cron']);
  for (const e of r.errors) {
    assert.ok(e instanceof FlowConfigError);
    assert.equal(e.fnId, 'f');
    assert.match(e.message, /^f: /);
  }
  assert.match(r.errors.find((e) => e.field === 'throttle.key')!.message, /does not compile/);
  assert.match(r.errors.find((e) => e.field === 'triggers[0].cron')!.message, /minute: 61/);
  assert.equal(flow.config('f'), before, 'the previous config is still in force');
  assert.deepEqual(r.crons, [], 'the bad cron was not planned');
  // validate() reports without changing anything either
  assert.equal(flow.validate({ id: 'g', config: { debounce: { period: 'soon' } } })[0]!.field, 'debounce.period');
  assert.equal(flow.config('g'), undefined);
  const more = flow.validate({ id: 'g', config: { rateLimit: { limit: 0, period: '1s' }, debounce: { period: '500ms' }, batchEvents: { maxSize: 5 }, cancel: 'x', priority: { run: 42 } } });
  assert.deepEqual(more.map((e) => e.field).sort(), ['batchEvents.timeout', 'cancel', 'debounce.period', 'priority.run', 'rateLimit.limit']);
});

void test('no flow control: every event starts a run at once', () => {
  const { flow, clock } = setup([{ id: 'plain', config: {} }]);
  const d = started(flow.onEvent('plain', ev('x')));
  assert.equal(d.startAt, clock.now());
  assert.equal(d.hold, undefined);
  assert.deepEqual(d.run.buckets, []);
  // unknown functions are not flow-controlled either
  started(flow.onEvent('unknown-fn', ev('x')));
});

void test('debounce through the facade: merged, then one run with the last event when the timer fires', () => {
  const { flow, clock } = setup([{ id: 'd', config: { debounce: { period: '5s', key: 'event.data.user', timeout: '1m' } } }]);
  const m1 = flow.onEvent('d', ev('x', { user: 'a', n: 1 }, { ts: clock.now() }));
  assert.equal(m1.kind, 'merged');
  if (m1.kind !== 'merged') return;
  assert.equal(m1.rule, 'debounce');
  assert.equal(m1.created, true);
  assert.equal(m1.hold.rule, 'debounce');
  clock.advance(2 * S);
  const m2 = flow.onEvent('d', ev('x', { user: 'a', n: 2 }, { ts: clock.now() }));
  assert.equal(m2.kind === 'merged' && m2.runId, m1.runId);
  assert.deepEqual(flow.pendingTimers().map((t) => t.at), [clock.now() + 5 * S]);
  assert.deepEqual(flow.onTimer(m1.timer), { kind: 'reschedule', timer: { ...m1.timer, at: clock.now() + 5 * S } }, 'the first timer is too early');
  clock.advance(5 * S);
  const d = started(flow.onTimer(m1.timer) as EventDecision);
  assert.equal(d.runId, m1.runId, 'the run shown as Queued is the one that starts');
  assert.deepEqual(d.events.map((e) => e.data.n), [2]);
  assert.deepEqual(flow.onTimer(m1.timer), { kind: 'none' });
});

void test('batch through the facade: by size, by timeout, by key; the batch run is idempotent by batch id', () => {
  const { flow, clock } = setup([{ id: 'b', config: { batchEvents: { maxSize: 2, timeout: '5s', key: 'event.data.user' } } }]);
  const a1 = flow.onEvent('b', ev('x', { user: 'a' }));
  const b1 = flow.onEvent('b', ev('x', { user: 'b' }));
  assert.equal(a1.kind, 'merged');
  assert.equal(b1.kind, 'merged');
  const full = started(flow.onEvent('b', ev('x', { user: 'a' })));
  assert.equal(full.events.length, 2);
  assert.equal(full.clearTimer, 'batch:b:a');
  assert.equal(a1.kind === 'merged' && full.runId, a1.kind === 'merged' ? a1.runId : '');
  clock.advance(5 * S);
  if (b1.kind !== 'merged') return;
  const byTime = started(flow.onTimer(b1.timer) as EventDecision);
  assert.equal(byTime.events.length, 1);
  assert.equal(byTime.runId, b1.runId);
});

void test('invoked runs skip debounce and batching', () => {
  const { flow } = setup([{ id: 'b', config: { batchEvents: { maxSize: 5, timeout: '5s' }, debounce: { period: '5s' } } }]);
  started(flow.onEvent('b', ev('inngest/function.invoked'), { invoked: true }));
});

void test('throttle through the facade: delayed start with a hold; concurrency then limits executing items', () => {
  const { flow, clock } = setup([{ id: 't', config: { throttle: { limit: 1, period: '10s' }, concurrency: 1 } }]);
  const d1 = started(flow.onEvent('t', ev('x')));
  const d2 = started(flow.onEvent('t', ev('x')));
  assert.equal(d1.startAt, clock.now());
  assert.equal(d2.startAt, clock.now() + 10 * S);
  assert.equal(d2.hold?.rule, 'throttle');
  assert.equal(d2.run.startAt, d2.startAt);
  assert.deepEqual(flow.onStepDispatch(d1.runId, 'i1'), { kind: 'allowed' });
  const held = flow.onStepDispatch(d2.runId, 'i2');
  assert.equal(held.kind, 'held');
  if (held.kind === 'held') assert.equal(held.hold.rule, 'concurrency');
  assert.deepEqual(flow.onRelease('i1'), ['i2']);
  assert.deepEqual(flow.onStepDispatch(d2.runId, 'i2'), { kind: 'allowed' });
});

void test('rateLimit skips with a reason; idempotency skips duplicates for 24h', () => {
  const { flow, clock } = setup([
    { id: 'rl', config: { rateLimit: { limit: 1, period: '10s', key: 'event.data.user' } } },
    { id: 'idem', config: { idempotency: 'event.data.order' } },
  ]);
  started(flow.onEvent('rl', ev('x', { user: 'a' })));
  const s = flow.onEvent('rl', ev('x', { user: 'a' }));
  assert.equal(s.kind, 'skip');
  if (s.kind === 'skip') {
    assert.equal(s.rule, 'rateLimit');
    assert.match(s.reason, /rateLimit: 1 per 10s for key "a"/);
  }
  started(flow.onEvent('rl', ev('x', { user: 'b' })));
  started(flow.onEvent('idem', ev('x', { order: 7 })));
  const dup = flow.onEvent('idem', ev('x', { order: 7 }));
  assert.equal(dup.kind === 'skip' && dup.rule, 'idempotency');
  clock.advance(24 * H);
  started(flow.onEvent('idem', ev('x', { order: 7 })));
});

void test('eventIdIdempotency: the same event never starts the same function twice; off by default', () => {
  const clock = new FakeClock();
  const strict = new FlowControl({ clock, newRunId: ids(), eventIdIdempotency: true });
  strict.syncApp('app', [{ id: 'plain', config: {} }]);
  assert.equal(strict.hasFlowControl('plain'), true, 'the option makes every function tracked');
  const e = ev('x');
  started(strict.onEvent('plain', e));
  const again = strict.onEvent('plain', e);
  assert.equal(again.kind === 'skip' && again.rule, 'idempotency');

  const { flow } = setup([{ id: 'plain', config: {} }, { id: 'keyed', config: { concurrency: 2 } }]);
  assert.equal(flow.hasFlowControl('plain'), false, 'no settings: no bookkeeping');
  assert.equal(flow.hasFlowControl('keyed'), true);
  started(flow.onEvent('plain', e));
  started(flow.onEvent('plain', e));
  assert.deepEqual(flow.snapshot().idempotency, {}, 'nothing kept per run by default');
});

void test('singleton skip and cancel; the lock frees when the run finishes', () => {
  const { flow } = setup([
    { id: 'sk', config: { singleton: { key: 'event.data.user', mode: 'skip' } } },
    { id: 'cx', config: { singleton: { key: 'event.data.user', mode: 'cancel' } } },
  ]);
  const r1 = started(flow.onEvent('sk', ev('x', { user: 'a' })));
  const s = flow.onEvent('sk', ev('x', { user: 'a' }));
  assert.equal(s.kind === 'skip' && s.rule, 'singleton');
  flow.onRunFinished(r1.runId);
  started(flow.onEvent('sk', ev('x', { user: 'a' })));

  const c1 = started(flow.onEvent('cx', ev('x', { user: 'a' })));
  const c2 = started(flow.onEvent('cx', ev('x', { user: 'a' })));
  assert.deepEqual(c2.cancelRuns.map((c) => c.runId), [c1.runId]);
  assert.match(c2.cancelRuns[0]!.reason, /singleton \(cancel\)/);
  const c3 = started(flow.onEvent('cx', ev('x', { user: 'a' })));
  assert.deepEqual(c3.cancelRuns.map((c) => c.runId), [c2.runId], 'the lock moved to the newer run');
});

void test('priority and concurrency keys are resolved at run creation', () => {
  const { flow } = setup([kitchen]);
  // kitchen debounces: the run starts when the debounce fires
  const clock = new FakeClock();
  const f2 = new FlowControl({ clock, newRunId: ids('k') });
  f2.syncApp('app', [{ ...kitchen, config: { ...kitchen.config, debounce: undefined, rateLimit: undefined } }]);
  const d = started(f2.onEvent(kitchen.id, ev('demo/kitchen', { user: 'u1', vip: true, ok: true })));
  assert.equal(d.run.priority, 120);
  assert.deepEqual(d.run.buckets.map((b) => b.label), ['fn limit 2, key "u1"', 'account limit 10, key "global"']);
  assert.equal(d.run.startBy, clock.now() + M);
  void flow;
});

void test('cancelOn through the facade: a later matching event names the run to cancel', () => {
  const { flow, clock } = setup([{ id: 'c', config: { cancel: [{ event: 'demo/cancel', if: 'event.data.user == async.data.user' }] } }]);
  const r = started(flow.onEvent('c', ev('demo/start', { user: 'u1' }, { receivedAt: clock.now() })));
  assert.deepEqual(flow.matchCancellations(ev('demo/cancel', { user: 'u2' }, { receivedAt: clock.now() + 1 })), []);
  const hit = flow.matchCancellations(ev('demo/cancel', { user: 'u1' }, { receivedAt: clock.now() + 2 }));
  assert.deepEqual(hit.map((h) => h.runId), [r.runId]);
  // a finished run is never cancelled
  const r2 = started(flow.onEvent('c', ev('demo/start', { user: 'u3' }, { receivedAt: clock.now() })));
  flow.onRunFinished(r2.runId);
  assert.deepEqual(flow.matchCancellations(ev('demo/cancel', { user: 'u3' }, { receivedAt: clock.now() + 3 })), []);
});

void test('timeouts.start and timeouts.finish deadlines', () => {
  const { flow, clock } = setup([{ id: 'to', config: { timeouts: { start: '1m', finish: '5m' }, throttle: { limit: 1, period: '1h' } } }]);
  const a = started(flow.onEvent('to', ev('x')));
  const b = started(flow.onEvent('to', ev('x')));
  assert.equal(b.startAt, clock.now() + H, 'throttled past its start timeout');
  assert.deepEqual(flow.checkDeadlines(b.runId), { cancel: false });
  clock.advance(M);
  const late = flow.checkDeadlines(b.runId);
  assert.equal(late.cancel, true);
  if (late.cancel) assert.match(late.reason, /timeouts.start/);
  const { finishBy } = flow.onRunStarted(a.runId);
  assert.equal(finishBy, clock.now() + 5 * M);
  assert.deepEqual(flow.checkDeadlines(a.runId), { cancel: false }, 'started: the start deadline no longer applies');
  clock.advance(5 * M);
  const over = flow.checkDeadlines(a.runId);
  assert.equal(over.cancel && over.reason.startsWith('timeouts.finish'), true);
});

void test('crons through the facade: planned on sync, due with the timer event', () => {
  const { flow, clock } = setup([{ id: 'cron', triggers: [{ cron: 'TZ=UTC */5 * * * *' }], config: {} }]);
  const wake = flow.nextCronWake()!;
  assert.equal(wake, clock.now(), 'noon matches */5: due at once');
  const due = flow.dueCrons();
  assert.equal(due.length, 1);
  assert.equal(due[0]!.event.name, 'inngest/scheduled.timer');
  assert.deepEqual(flow.nextCronRuns('cron'), [clock.now() + 5 * M]);
});

void test('syncApp removes functions no longer registered and drops their pending debounces', () => {
  const { flow } = setup([{ id: 'd', config: { debounce: { period: '5s' } } }, { id: 'keep', config: {} }]);
  flow.syncApp('other-app', [{ id: 'o', config: {} }]);
  const m = flow.onEvent('d', ev('x'));
  assert.equal(m.kind, 'merged');
  const r = flow.syncApp('app', [{ id: 'keep', config: {} }]);
  assert.deepEqual(r.dropped.map((x) => [x.fnId, x.rule]), [['d', 'debounce']]);
  assert.equal(flow.config('d'), undefined);
  assert.ok(flow.config('o'), "another app's functions are untouched");
  assert.deepEqual(flow.pendingTimers(), []);
});

void test('snapshot is plain JSON and a restored FlowControl carries on where it stopped', () => {
  const fns: FlowFunctionInput[] = [
    { id: 'd', config: { debounce: { period: '5s' } } },
    { id: 't', config: { throttle: { limit: 1, period: '10s' }, singleton: { mode: 'skip' } } },
    { id: 'c', config: { cancel: [{ event: 'stop' }] } },
    { id: 'cron', triggers: [{ cron: '*/5 * * * *' }], config: {} },
  ];
  const { flow, clock } = setup(fns);
  const m = flow.onEvent('d', ev('x', { n: 1 }, { ts: clock.now() }));
  const t1 = started(flow.onEvent('t', ev('x')));
  const c1 = started(flow.onEvent('c', ev('go', {}, { receivedAt: clock.now() })));
  flow.dueCrons();
  const saved = JSON.parse(JSON.stringify(flow.snapshot()));

  const again = new FlowControl({ clock, newRunId: ids('after'), state: saved });
  again.syncApp('app', fns);
  assert.deepEqual(again.pendingTimers().map((t) => t.id), ['debounce:d:']);
  assert.deepEqual(again.dueCrons(), [], 'the cron fired before the restart does not fire again');
  const s = again.onEvent('t', ev('x'));
  assert.equal(s.kind === 'skip' && s.rule, 'singleton', 'singleton lock survived');
  again.onRunFinished(t1.runId);
  const t2 = started(again.onEvent('t', ev('x')));
  assert.equal(t2.startAt, clock.now() + 10 * S, 'throttle state survived');
  assert.deepEqual(again.matchCancellations(ev('stop', {}, { receivedAt: clock.now() + 1 })).map((x) => x.runId), [c1.runId]);
  clock.advance(5 * S);
  if (m.kind === 'merged') {
    const d = started(again.onTimer(m.timer) as EventDecision);
    assert.equal(d.runId, m.runId);
  }
});
