import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Concurrency, resolveBuckets } from '../../runtime/flow/concurrency';
import { createCelEvaluator } from '../../runtime/flow/expr';
import { ev } from './helpers';

const cel = createCelEvaluator();

void test('a keyed fn limit holds the third item of one key but not another key', () => {
  const c = new Concurrency();
  const limits = [{ limit: 2, scope: 'fn' as const, key: cel.compile('event.data.user') }];
  const a = resolveBuckets('fn', 'dev', limits, ev('x', { user: 'a' })).buckets;
  const b = resolveBuckets('fn', 'dev', limits, ev('x', { user: 'b' })).buckets;
  assert.deepEqual(c.acquire('i1', a), { ok: true });
  assert.deepEqual(c.acquire('i2', a), { ok: true });
  const third = c.acquire('i3', a);
  assert.equal(third.ok, false);
  if (!third.ok) {
    assert.equal(third.hold.rule, 'concurrency');
    assert.match(third.hold.detail, /fn limit 2, key "a" reached \(2 steps executing\)/);
  }
  assert.equal(c.acquire('j1', b).ok, true, 'another key has its own slots');
  assert.deepEqual(c.release('i1'), ['i3'], 'releasing a slot wakes the waiting item');
  assert.equal(c.acquire('i3', a).ok, true);
  assert.equal(c.inUse(a[0]!.id), 2);
});

void test('two limits: a run needs a slot in both; an account-scoped key is shared across functions', () => {
  const c = new Concurrency();
  const limits = [
    { limit: 2, scope: 'fn' as const, key: cel.compile('event.data.user') },
    { limit: 3, scope: 'account' as const, key: cel.compile('"global"') },
  ];
  const fnA = (user: string) => resolveBuckets('fnA', 'dev', limits, ev('x', { user })).buckets;
  const fnB = resolveBuckets('fnB', 'dev', [{ limit: 3, scope: 'account', key: cel.compile('"global"') }], ev('y')).buckets;
  assert.equal(fnA('u1').length, 2);
  assert.equal(c.acquire('a1', fnA('u1')).ok, true);
  assert.equal(c.acquire('a2', fnA('u2')).ok, true);
  assert.equal(c.acquire('b1', fnB).ok, true);
  // the account bucket "global" is now full (3), although u3's fn bucket is empty
  const held = c.acquire('a3', fnA('u3'));
  assert.equal(held.ok, false);
  if (!held.ok) assert.match(held.blockedBy.label, /account limit 3, key "global"/);
  const heldB = c.acquire('b2', fnB);
  assert.equal(heldB.ok, false, 'the other function shares the account bucket');
  assert.deepEqual(c.release('b1').sort(), ['a3', 'b2']);
  // a partial acquire never happens: a failed acquire took no slot in the first bucket
  assert.equal(c.inUse(fnA('u3')[0]!.id), 0);
});

void test('waiting items are woken best first (lower order value first)', () => {
  const c = new Concurrency();
  const buckets = resolveBuckets('fn', 'dev', [{ limit: 1, scope: 'fn' }], ev('x')).buckets;
  assert.equal(c.acquire('run', buckets).ok, true);
  c.acquire('late', buckets, 3000);
  c.acquire('early', buckets, 1000);
  c.acquire('vip', buckets, -120_000);
  assert.deepEqual(c.release('run'), ['vip', 'early', 'late']);
});

void test('limit 0 means no limit; env scope is per environment; acquiring twice is a no-op', () => {
  assert.equal(resolveBuckets('fn', 'dev', [{ limit: 0, scope: 'fn' }], ev('x')).buckets.length, 0);
  const envLimits = [{ limit: 1, scope: 'env' as const, key: cel.compile('"k"') }];
  const dev = resolveBuckets('fn', 'dev', envLimits, ev('x')).buckets;
  const other = resolveBuckets('fn2', 'dev', envLimits, ev('x')).buckets;
  const prod = resolveBuckets('fn', 'prod', envLimits, ev('x')).buckets;
  assert.equal(dev[0]!.id, other[0]!.id, 'same env + key: shared');
  assert.notEqual(dev[0]!.id, prod[0]!.id);
  const c = new Concurrency();
  assert.equal(c.acquire('i', dev).ok, true);
  assert.equal(c.acquire('i', dev).ok, true);
  assert.equal(c.inUse(dev[0]!.id), 1);
  assert.deepEqual(c.release('i'), []);
  assert.deepEqual(c.release('i'), [], 'double release is harmless');
  assert.equal(c.inUse(dev[0]!.id), 0);
});

void test('a key that fails to evaluate falls back to the shared key with a warning', () => {
  const r = resolveBuckets('fn', 'dev', [{ limit: 1, scope: 'fn', key: cel.compile('event.data.flag ? "a" : "b"') }], ev('x'));
  assert.equal(r.buckets.length, 1);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0]!, /concurrency key .* failed/);
});

void test('forgetWaiting drops a cancelled item from the wake list', () => {
  const c = new Concurrency();
  const buckets = resolveBuckets('fn', 'dev', [{ limit: 1, scope: 'fn' }], ev('x')).buckets;
  c.acquire('a', buckets);
  c.acquire('b', buckets);
  c.forgetWaiting('b');
  assert.deepEqual(c.release('a'), []);
});
