import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Debouncer } from '../../runtime/flow/debounce';
import { Batcher } from '../../runtime/flow/batch';
import { createCelEvaluator } from '../../runtime/flow/expr';
import { ev, ids, S } from './helpers';

const cel = createCelEvaluator();
const T0 = 1_800_000_000_000;

void test('debounce: each event restarts the period; the run gets the last event', () => {
  const d = new Debouncer();
  const cfg = { periodMs: 5 * S };
  const newId = ids();
  const e1 = ev('d', { n: 1 }, { ts: T0 });
  const p1 = d.push('fn', cfg, e1, T0, newId);
  assert.equal(p1.created, true);
  assert.equal(p1.timer.at, T0 + 5 * S);
  assert.equal(p1.hold.rule, 'debounce');
  const p2 = d.push('fn', cfg, ev('d', { n: 2 }, { ts: T0 + 3 * S }), T0 + 3 * S, newId);
  assert.equal(p2.created, false);
  assert.equal(p2.entry.runId, p1.entry.runId, 'same pending run');
  assert.equal(p2.timer.id, p1.timer.id, 'the same timer moves');
  assert.equal(p2.timer.at, T0 + 8 * S);
  // the old timer time comes: too early, it is moved
  const early = d.fire(p1.timer.id, T0 + 5 * S);
  assert.deepEqual(early, { kind: 'reschedule', timer: { id: p1.timer.id, kind: 'debounce', fnId: 'fn', at: T0 + 8 * S } });
  const due = d.fire(p1.timer.id, T0 + 8 * S);
  assert.equal(due.kind, 'due');
  if (due.kind === 'due') {
    assert.deepEqual(due.entry.event.data, { n: 2 });
    assert.equal(due.entry.count, 2);
  }
  assert.deepEqual(d.fire(p1.timer.id, T0 + 9 * S), { kind: 'gone' });
  // after firing, a new event opens a new debounce with a new run
  const p3 = d.push('fn', cfg, ev('d', { n: 3 }, { ts: T0 + 10 * S }), T0 + 10 * S, newId);
  assert.equal(p3.created, true);
  assert.notEqual(p3.entry.runId, p1.entry.runId);
});

void test('debounce timeout caps the total delay from the first event', () => {
  const d = new Debouncer();
  const cfg = { periodMs: 2 * S, timeoutMs: 5 * S };
  const newId = ids();
  let last = d.push('fn', cfg, ev('d', { i: 0 }, { ts: T0 }), T0, newId);
  // a steady stream every second never settles
  let firedAt: number | undefined;
  let firedWith: unknown;
  for (let i = 1; i <= 10; i++) {
    const t = T0 + i * S;
    const f = d.fire(last.timer.id, t);
    if (f.kind === 'due') {
      firedAt = t;
      firedWith = f.entry.event.data;
      break;
    }
    last = d.push('fn', cfg, ev('d', { i }, { ts: t }), t, newId);
    assert.ok(last.timer.at <= T0 + 5 * S, `timer at ${last.timer.at - T0} stays within the cap`);
  }
  assert.equal(firedAt, T0 + 5 * S, 'fires at the cap although events keep coming');
  assert.deepEqual(firedWith, { i: 4 }, 'with the latest event received before the cap');
});

void test('debounce: an event older than the stored one changes nothing', () => {
  const d = new Debouncer();
  const cfg = { periodMs: 5 * S };
  const newId = ids();
  d.push('fn', cfg, ev('d', { n: 'new' }, { ts: T0 + 100 }), T0, newId);
  const p = d.push('fn', cfg, ev('d', { n: 'old' }, { ts: T0 }), T0 + S, newId);
  assert.match(p.ignored ?? '', /older/);
  assert.equal(p.timer.at, T0 + 5 * S, 'not extended');
  const due = d.fire(p.timer.id, T0 + 5 * S);
  assert.equal(due.kind === 'due' && due.entry.event.data.n, 'new');
});

void test('debounce keys are independent', () => {
  const d = new Debouncer();
  const cfg = { periodMs: 5 * S, key: cel.compile('event.data.user') };
  const newId = ids();
  const a = d.push('fn', cfg, ev('d', { user: 'a' }, { ts: T0 }), T0, newId);
  const b = d.push('fn', cfg, ev('d', { user: 'b' }, { ts: T0 + S }), T0 + S, newId);
  assert.notEqual(a.timer.id, b.timer.id);
  assert.notEqual(a.entry.runId, b.entry.runId);
  assert.equal(d.fire(a.timer.id, T0 + 5 * S).kind, 'due');
  assert.equal(d.fire(b.timer.id, T0 + 5 * S).kind, 'reschedule');
  assert.equal(d.pending().length, 1);
  const restored = new Debouncer(JSON.parse(JSON.stringify(d.snapshot())));
  assert.equal(restored.fire(b.timer.id, T0 + 6 * S).kind, 'due', 'state survives a JSON round trip');
});

void test('batch: starts when full, with every event in arrival order', () => {
  const b = new Batcher();
  const cfg = { maxSize: 3, timeoutMs: 5 * S };
  const newId = ids();
  const r1 = b.push('fn', cfg, ev('b', { i: 1 }), T0, newId);
  assert.equal(r1.kind, 'open');
  if (r1.kind === 'open') {
    assert.equal(r1.created, true);
    assert.equal(r1.timer.at, T0 + 5 * S);
    assert.equal(r1.hold.rule, 'batchEvents');
    assert.match(r1.hold.detail, /1 of 3/);
  }
  const r2 = b.push('fn', cfg, ev('b', { i: 2 }), T0 + S, newId);
  assert.equal(r2.kind === 'open' && r2.created, false);
  const r3 = b.push('fn', cfg, ev('b', { i: 3 }), T0 + 2 * S, newId);
  assert.equal(r3.kind, 'full');
  if (r3.kind === 'full') assert.deepEqual(r3.entry.events.map((e) => e.data.i), [1, 2, 3]);
  // the stale timer finds nothing
  assert.deepEqual(b.fire('batch:fn:', T0 + 5 * S), { kind: 'gone' });
});

void test('batch: starts at the timeout with fewer events; an early timer is moved', () => {
  const b = new Batcher();
  const cfg = { maxSize: 10, timeoutMs: 5 * S };
  const newId = ids();
  const r1 = b.push('fn', cfg, ev('b', { i: 1 }), T0, newId);
  b.push('fn', cfg, ev('b', { i: 2 }), T0 + 4 * S, newId);
  assert.equal(r1.kind, 'open');
  if (r1.kind !== 'open') return;
  assert.equal(b.fire(r1.timer.id, T0 + 4 * S).kind, 'reschedule');
  const due = b.fire(r1.timer.id, T0 + 5 * S);
  assert.equal(due.kind, 'due');
  if (due.kind === 'due') {
    assert.equal(due.entry.events.length, 2);
    assert.equal(due.entry.runId, r1.entry.runId);
  }
});

void test('batch: keys batch separately; `if` false events run alone', () => {
  const b = new Batcher();
  const cfg = { maxSize: 2, timeoutMs: 5 * S, key: cel.compile('event.data.user'), if: cel.compile('event.data.plan == "free"') };
  const newId = ids();
  assert.equal(b.push('fn', cfg, ev('b', { user: 'a', plan: 'free' }), T0, newId).kind, 'open');
  assert.equal(b.push('fn', cfg, ev('b', { user: 'b', plan: 'free' }), T0, newId).kind, 'open');
  const paid = b.push('fn', cfg, ev('b', { user: 'a', plan: 'paid' }), T0, newId);
  assert.equal(paid.kind, 'bypass');
  const full = b.push('fn', cfg, ev('b', { user: 'a', plan: 'free' }), T0 + S, newId);
  assert.equal(full.kind, 'full');
  if (full.kind === 'full') assert.deepEqual(full.entry.events.map((e) => e.data.user), ['a', 'a']);
  assert.equal(b.pending().length, 1, "b's batch is still open");
});
