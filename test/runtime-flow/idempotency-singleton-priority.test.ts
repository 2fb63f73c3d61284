import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Idempotency, IDEMPOTENCY_WINDOW_MS } from '../../runtime/flow/idempotency';
import { Singleton } from '../../runtime/flow/singleton';
import { clampPriority, compareQueued, effectiveTime, priorityFactor, PRIORITY_MAX_SECONDS } from '../../runtime/flow/priority';
import { createCelEvaluator } from '../../runtime/flow/expr';
import { ev, H } from './helpers';

const cel = createCelEvaluator();
const T0 = 1_800_000_000_000;

void test('idempotency key: one run per key value per function within 24h', () => {
  const idem = new Idempotency();
  const key = cel.compile('event.data.user');
  const first = idem.check('fn', key, ev('x', { user: 'a' }), T0);
  assert.equal(first.duplicate, false);
  idem.commit(first.key, 'run-1', T0);
  const dup = idem.check('fn', key, ev('x', { user: 'a' }), T0 + 23 * H);
  assert.equal(dup.duplicate, true);
  if (dup.duplicate) {
    assert.equal(dup.runId, 'run-1');
    assert.match(dup.reason, /idempotency: key "a" already started run run-1/);
  }
  assert.equal(idem.check('fn', key, ev('x', { user: 'b' }), T0).duplicate, false, 'other value');
  assert.equal(idem.check('fn2', key, ev('x', { user: 'a' }), T0).duplicate, false, 'other function');
  assert.equal(idem.check('fn', key, ev('x', { user: 'a' }), T0 + IDEMPOTENCY_WINDOW_MS - 1).duplicate, true, 'just inside the window');
  assert.equal(idem.check('fn', key, ev('x', { user: 'a' }), T0 + IDEMPOTENCY_WINDOW_MS).duplicate, false, 'the window is over');
});

void test('idempotency without a key uses the event id (or the batch id); a check alone takes nothing', () => {
  const idem = new Idempotency();
  const e = ev('x', {}, { id: 'same-id', internalId: 'I1' });
  const v = idem.check('fn', undefined, e, T0);
  assert.equal(v.duplicate, false);
  assert.equal(idem.check('fn', undefined, e, T0).duplicate, false, 'not committed yet');
  idem.commit(v.key, 'run-1', T0);
  assert.equal(idem.check('fn', undefined, e, T0 + 1).duplicate, true);
  assert.equal(idem.check('fn', undefined, ev('x', {}, { id: 'same-id', internalId: 'I2' }), T0).duplicate, false, 'a different received event');
  const b = idem.check('fn', undefined, e, T0, 'batch-1');
  assert.equal(b.duplicate, false, 'a batch is keyed by its id');
  const snap = JSON.parse(JSON.stringify(idem.snapshot(T0 + IDEMPOTENCY_WINDOW_MS + 1)));
  assert.deepEqual(snap, {}, 'expired keys are swept from the snapshot');
});

void test('singleton: skip while active, replace in cancel mode, free after release', () => {
  const s = new Singleton();
  const skip = { mode: 'skip' as const, key: cel.compile('event.data.user') };
  const v1 = s.check('fn', skip, ev('x', { user: 'a' }));
  assert.equal(v1.kind, 'free');
  s.acquire(v1.lock, 'run-1');
  const v2 = s.check('fn', skip, ev('x', { user: 'a' }));
  assert.equal(v2.kind, 'skip');
  if (v2.kind === 'skip') {
    assert.equal(v2.activeRunId, 'run-1');
    assert.match(v2.reason, /singleton \(skip\): run run-1 is active for key "a"/);
  }
  assert.equal(s.check('fn', skip, ev('x', { user: 'b' })).kind, 'free', 'other key');
  const cancel = { mode: 'cancel' as const, key: cel.compile('event.data.user') };
  const v3 = s.check('fn', cancel, ev('x', { user: 'a' }));
  assert.equal(v3.kind, 'replace');
  assert.equal(s.release('run-1'), true);
  assert.equal(s.release('run-1'), false);
  assert.equal(s.check('fn', skip, ev('x', { user: 'a' })).kind, 'free');
});

void test('priority: factor in seconds from the event, clamped to ±43200', () => {
  const run = cel.compile('event.data.vip ? 120 : 0');
  assert.equal(priorityFactor(run, ev('x', { vip: true })).seconds, 120);
  assert.equal(priorityFactor(run, ev('x', { vip: false })).seconds, 0);
  const raw = cel.compile('event.data.p');
  assert.equal(priorityFactor(raw, ev('x', { p: 999_999 })).seconds, PRIORITY_MAX_SECONDS);
  assert.equal(priorityFactor(raw, ev('x', { p: -999_999 })).seconds, -PRIORITY_MAX_SECONDS);
  assert.equal(priorityFactor(raw, ev('x', { p: 12.9 })).seconds, 12);
  const bad = priorityFactor(raw, ev('x', { p: 'high' }));
  assert.equal(bad.seconds, 0);
  assert.match(bad.warning ?? '', /not a number/);
  const failing = priorityFactor(run, ev('x', {}));
  assert.equal(failing.seconds, 0, 'a failing expression gives 0');
  assert.match(failing.warning ?? '', /failed/);
  assert.equal(priorityFactor(undefined, ev('x')).seconds, 0);
  assert.equal(clampPriority(Number.NaN), 0);
});

void test('priority ordering: a factor of N seconds goes ahead of work enqueued up to N seconds earlier', () => {
  const items = [
    { id: 'old', enqueuedAt: T0, priority: 0 },
    { id: 'vip', enqueuedAt: T0 + 100_000, priority: 120 },
    { id: 'late-vip', enqueuedAt: T0 + 200_000, priority: 120 },
    { id: 'low', enqueuedAt: T0 - 50_000, priority: -60 },
    { id: 'new', enqueuedAt: T0 + 1, priority: 0 },
  ];
  const order = [...items].sort(compareQueued).map((i) => i.id);
  assert.deepEqual(order, ['vip', 'old', 'new', 'low', 'late-vip']);
  assert.equal(effectiveTime(T0, 1e9), T0 - PRIORITY_MAX_SECONDS * 1000, 'clamped in ordering too');
});
