import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelMatcher, createCancelPauses, finishDeadline, startDeadline, CANCEL_DEFAULT_TIMEOUT_MS, timeoutReason } from '../../runtime/flow/cancel';
import { createCelEvaluator } from '../../runtime/flow/expr';
import { ev, H, M } from './helpers';

const cel = createCelEvaluator();
const T0 = 1_800_000_000_000;

function at(e: ReturnType<typeof ev>, receivedAt: number) {
  return { ...e, receivedAt };
}

void test('cancel `if` is interpolated from the triggering event; a later matching event cancels', () => {
  const trigger = ev('demo/kitchen', { user: 'u1' });
  const { pauses, warnings } = createCancelPauses('run-1', 'fn', [{ event: 'demo/cancel', if: 'event.data.user == async.data.user', timeoutMs: H }], trigger, T0, cel);
  assert.deepEqual(warnings, []);
  assert.equal(pauses.length, 1);
  assert.equal(pauses[0]!.expr, '"u1" == async.data.user');
  assert.equal(pauses[0]!.expiresAt, T0 + H);
  const m = new CancelMatcher(cel, pauses);
  assert.deepEqual(m.match(at(ev('demo/cancel', { user: 'u2' }), T0 + 1), T0 + 1).matches, [], 'other user');
  assert.deepEqual(m.match(at(ev('demo/other', { user: 'u1' }), T0 + 1), T0 + 1).matches, [], 'other event name');
  const hit = m.match(at(ev('demo/cancel', { user: 'u1' }), T0 + 2), T0 + 2).matches;
  assert.equal(hit.length, 1);
  assert.equal(hit[0]!.runId, 'run-1');
  assert.match(hit[0]!.reason, /cancelled by event demo\/cancel/);
  assert.equal(m.pauses().length, 0, 'a matched pause is consumed');
});

void test('match (SDK-compiled into if) and several runs: only the runs whose values match', () => {
  const cancels = [{ event: 'app/deleted', if: 'event.data.id == async.data.id', timeoutMs: CANCEL_DEFAULT_TIMEOUT_MS }];
  const m = new CancelMatcher(cel);
  for (const [run, id] of [['r1', 'a'], ['r2', 'b'], ['r3', 'a']] as const) {
    m.add(createCancelPauses(run, 'fn', cancels, ev('app/created', { id }), T0, cel).pauses);
  }
  const hit = m.match(at(ev('app/deleted', { id: 'a' }), T0 + M), T0 + M).matches.map((x) => x.runId).sort();
  assert.deepEqual(hit, ['r1', 'r3']);
  assert.equal(m.pauses().length, 1);
});

void test('only events newer than the run cancel it, never its own trigger', () => {
  const trigger = ev('demo/same', { user: 'u1' });
  const { pauses } = createCancelPauses('run-1', 'fn', [{ event: 'demo/same', timeoutMs: H }], trigger, T0, cel);
  const m = new CancelMatcher(cel, pauses);
  assert.deepEqual(m.match(at(trigger, T0), T0).matches, [], 'the trigger itself');
  assert.deepEqual(m.match(at(ev('demo/same'), T0 - 1), T0).matches, [], 'an event received before the run');
  assert.equal(m.match(at(ev('demo/same'), T0 + 5), T0 + 5).matches.length, 1, 'a newer event without if cancels');
});

void test('pauses expire after their timeout (default 1 year)', () => {
  const trigger = ev('x', { user: 'u1' });
  const { pauses } = createCancelPauses('run-1', 'fn', [{ event: 'stop', timeoutMs: CANCEL_DEFAULT_TIMEOUT_MS }, { event: 'halt', timeoutMs: 10 * M }], trigger, T0, cel);
  assert.equal(pauses[0]!.expiresAt, T0 + 365 * 24 * H);
  const m = new CancelMatcher(cel, pauses);
  assert.deepEqual(m.match(at(ev('halt'), T0 + 10 * M), T0 + 10 * M).matches, [], 'expired exactly at its timeout');
  assert.equal(m.match(at(ev('stop'), T0 + 300 * 24 * H), T0 + 300 * 24 * H).matches.length, 1);
});

void test('a constant false `if` makes no pause; constant true matches any later event; at most 5', () => {
  const trigger = ev('x', { plan: 'free' });
  const r = createCancelPauses(
    'run-1',
    'fn',
    [
      { event: 'a', if: 'event.data.plan == "paid"', timeoutMs: H },
      { event: 'b', if: 'event.data.plan == "free"', timeoutMs: H },
      { event: 'c', timeoutMs: H },
      { event: 'd', timeoutMs: H },
      { event: 'e', timeoutMs: H },
      { event: 'f', timeoutMs: H },
      { event: 'g', timeoutMs: H },
    ],
    trigger,
    T0,
    cel,
  );
  assert.deepEqual(r.pauses.map((p) => p.event), ['b', 'c', 'd', 'e']);
  assert.equal(r.pauses[0]!.expr, undefined, 'constant true: no expression left');
});

void test('a pause whose `if` cannot be prepared is reported, not thrown', () => {
  const r = createCancelPauses('run-1', 'fn', [{ event: 'a', if: 'async.data.x ==', timeoutMs: H }], ev('x'), T0, cel);
  assert.equal(r.pauses.length, 0);
  assert.match(r.warnings[0]!, /cancel\[0\]\.if/);
});

void test('removeRun drops a finished run\'s pauses; state is rebuilt from pauses()', () => {
  const m = new CancelMatcher(cel);
  m.add(createCancelPauses('r1', 'fn', [{ event: 'stop', timeoutMs: H }], ev('x'), T0, cel).pauses);
  m.add(createCancelPauses('r2', 'fn', [{ event: 'stop', timeoutMs: H }], ev('x'), T0, cel).pauses);
  m.removeRun('r1');
  const rebuilt = new CancelMatcher(cel, JSON.parse(JSON.stringify(m.pauses())));
  assert.deepEqual(rebuilt.match(at(ev('stop'), T0 + 1), T0 + 1).matches.map((x) => x.runId), ['r2']);
});

void test('timeouts.start counts from queueing, timeouts.finish from the start', () => {
  const t = { startMs: M, finishMs: 5 * M };
  assert.equal(startDeadline(T0, t), T0 + M);
  assert.equal(finishDeadline(T0 + 30_000, t), T0 + 30_000 + 5 * M);
  assert.equal(startDeadline(T0, {}), undefined);
  assert.equal(finishDeadline(T0, {}), undefined);
  assert.match(timeoutReason('start', t), /timeouts.start: not started within 1m/);
  assert.match(timeoutReason('finish', t), /timeouts.finish: not finished within 5m/);
});
