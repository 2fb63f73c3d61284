import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gcra } from '../../runtime/flow/gcra';
import { Throttle } from '../../runtime/flow/throttle';
import { RateLimiter, rateLimitCapacity } from '../../runtime/flow/ratelimit';
import { createCelEvaluator } from '../../runtime/flow/expr';
import { ev, S, M } from './helpers';

const cel = createCelEvaluator();
const T0 = 1_800_000_000_000;

void test('gcra: capacity at once from an idle key, then one per emission', () => {
  const p = { periodMs: 6 * S, limit: 2, capacity: 3 };
  let tat: number | undefined;
  const allowed: boolean[] = [];
  for (let i = 0; i < 4; i++) {
    const v = gcra(p, tat, T0);
    allowed.push(v.allowed);
    if (v.allowed) tat = v.nextTat;
  }
  assert.deepEqual(allowed, [true, true, true, false]);
  const blocked = gcra(p, tat, T0);
  assert.equal(blocked.at, T0 + 3 * S, 'next admission one emission (period/limit) later');
  assert.equal(gcra(p, tat, T0 + 3 * S - 1).allowed, false, 'one ms before the boundary: still limited');
  assert.equal(gcra(p, tat, T0 + 3 * S).allowed, true, 'exactly at the boundary: allowed');
});

void test('throttle {limit 2, period 6s, burst 1}: three start at once, then one every 3s, in arrival order', () => {
  const th = new Throttle();
  const cfg = { limit: 2, periodMs: 6 * S, burst: 1 };
  const starts = Array.from({ length: 6 }, (_, i) => th.book('fn', cfg, ev('t'), T0 + i * 500).startAt - T0);
  // events arrive 0.5 s apart (the documented animation): 3 at arrival, then 3s, 6s, 9s after the first
  assert.deepEqual(starts, [0, 500, 1000, 3000, 6000, 9000]);
});

void test('throttle {limit 1, period 5s, burst 2}: limit + burst at once, then one per period', () => {
  const th = new Throttle();
  const cfg = { limit: 1, periodMs: 5 * S, burst: 2 };
  const starts = Array.from({ length: 5 }, () => th.book('fn', cfg, ev('t'), T0).startAt - T0);
  assert.deepEqual(starts, [0, 0, 0, 5000, 10000]);
});

void test('throttle without burst smooths starts period/limit apart; an idle period restores capacity', () => {
  const th = new Throttle();
  const cfg = { limit: 5, periodMs: M, burst: 0 };
  const starts = Array.from({ length: 7 }, () => th.book('fn', cfg, ev('t'), T0).startAt - T0);
  assert.deepEqual(starts, [0, 0, 0, 0, 0, 12_000, 24_000]);
  // after the backlog has drained and a whole period passed, the full capacity is back
  const later = T0 + 24_000 + M;
  const again = Array.from({ length: 6 }, () => th.book('fn', cfg, ev('t'), later).startAt - later);
  assert.deepEqual(again, [0, 0, 0, 0, 0, 12_000]);
});

void test('throttle: a delayed start carries a hold naming the rule, key and time', () => {
  const th = new Throttle();
  const cfg = { limit: 1, periodMs: 10 * S, burst: 0, key: cel.compile('event.data.user') };
  assert.equal(th.book('fn', cfg, ev('t', { user: 'a' }), T0).hold, undefined);
  const v = th.book('fn', cfg, ev('t', { user: 'a' }), T0);
  assert.equal(v.hold?.rule, 'throttle');
  assert.equal(v.hold?.until, T0 + 10 * S);
  assert.match(v.hold!.detail, /1 start per 10s/);
  assert.match(v.hold!.detail, /"a"/);
});

void test('throttle: keys and functions have separate limits', () => {
  const th = new Throttle();
  const cfg = { limit: 1, periodMs: 10 * S, burst: 0, key: cel.compile('event.data.user') };
  assert.equal(th.book('fn', cfg, ev('t', { user: 'a' }), T0).startAt, T0);
  assert.equal(th.book('fn', cfg, ev('t', { user: 'b' }), T0).startAt, T0, 'other key');
  assert.equal(th.book('fn2', cfg, ev('t', { user: 'a' }), T0).startAt, T0, 'other function');
  assert.equal(th.book('fn', cfg, ev('t', { user: 'a' }), T0).startAt, T0 + 10 * S, 'same fn and key');
});

void test('throttle state survives a JSON round trip', () => {
  const th = new Throttle();
  const cfg = { limit: 1, periodMs: 10 * S, burst: 0 };
  th.book('fn', cfg, ev('t'), T0);
  const restored = new Throttle(JSON.parse(JSON.stringify(th.snapshot(T0))));
  assert.equal(restored.book('fn', cfg, ev('t'), T0 + 1).startAt, T0 + 10 * S);
});

void test('rateLimit {limit 1, period 10s}: excess events are skipped, not delayed', () => {
  const rl = new RateLimiter();
  const cfg = { limit: 1, periodMs: 10 * S };
  assert.equal(rl.check('fn', cfg, ev('r'), T0).allowed, true);
  const second = rl.check('fn', cfg, ev('r'), T0 + 2 * S);
  assert.equal(second.allowed, false);
  if (!second.allowed) {
    assert.equal(second.retryAt, T0 + 10 * S);
    assert.match(second.reason, /rateLimit: 1 per 10s/);
  }
  assert.equal(rl.check('fn', cfg, ev('r'), T0 + 10 * S - 1).allowed, false, 'just before the period ends');
  assert.equal(rl.check('fn', cfg, ev('r'), T0 + 10 * S).allowed, true, 'a new period');
});

void test('rateLimit: skipped events do not consume capacity; keys are separate', () => {
  const rl = new RateLimiter();
  const cfg = { limit: 1, periodMs: 10 * S, key: cel.compile('event.data.user') };
  assert.equal(rl.check('fn', cfg, ev('r', { user: 'a' }), T0).allowed, true);
  for (let i = 0; i < 5; i++) assert.equal(rl.check('fn', cfg, ev('r', { user: 'a' }), T0 + i * S).allowed, false);
  assert.equal(rl.check('fn', cfg, ev('r', { user: 'b' }), T0).allowed, true);
  assert.equal(rl.check('fn', cfg, ev('r', { user: 'a' }), T0 + 10 * S).allowed, true, 'the skips did not push the window');
});

void test('rateLimit capacity follows Inngest: floor(limit/10) + 1 at once, then period/limit apart', () => {
  assert.equal(rateLimitCapacity(1), 1);
  assert.equal(rateLimitCapacity(10), 2);
  assert.equal(rateLimitCapacity(25), 3);
  const rl = new RateLimiter();
  const cfg = { limit: 10, periodMs: M };
  const now = Array.from({ length: 3 }, () => rl.check('fn', cfg, ev('r'), T0).allowed);
  assert.deepEqual(now, [true, true, false]);
  assert.equal(rl.check('fn', cfg, ev('r'), T0 + 6 * S).allowed, true, 'one more after period/limit = 6s');
});
