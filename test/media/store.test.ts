// The panel's store (media/store.ts) in plain Node: stream messages applied by type, the stream
// position kept for catch-up after a reconnect, filters, and replays listed under their origin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSummary } from '../../runtime/api';
import { Store, type StoreChange } from '../../media/store';

const run = (id: string, queuedAt: number, extra: Partial<RunSummary> = {}): RunSummary => ({
  id, functionId: 'app-checkout', functionName: 'checkout', appId: 'app', status: 'Running', eventId: `e-${id}`,
  eventName: 'shop/order.placed', queuedAt, stepCount: 0, requestCount: 0, ...extra,
});

void test('stream messages update runs and the position to resume from', () => {
  const s = new Store();
  const changes: StoreChange[] = [];
  s.on((c) => changes.push(c));
  s.receive({ type: 'hello', seq: 4, version: 'x' });
  s.receive({ type: 'run.created', seq: 5, run: run('a', 1) });
  s.receive({ type: 'run.finished', seq: 7, run: run('a', 1, { status: 'Completed', endedAt: 9 }) });
  s.receive({ type: 'step.finished', seq: 6, runId: 'a', step: { hashedId: 'h', userId: 'x', displayName: 'x', kind: 'run', status: 'completed', attempts: [] } });
  assert.equal(s.lastSeq, 7, 'the highest seq seen, even when frames arrive out of order');
  assert.equal(s.runs.get('a')?.status, 'Completed');
  assert.deepEqual(changes.map((c) => c.kind), ['run', 'run', 'run']);
  s.receive({ type: 'resync', seq: 8 });
  assert.equal(changes.at(-1)?.kind, 'resync');
  // A restarted executor starts its seq over: the store follows it and asks for a reload.
  changes.length = 0;
  s.receive({ type: 'hello', seq: 1, version: 'x' });
  assert.equal(s.lastSeq, 1);
  assert.deepEqual(changes.map((c) => c.kind), ['resync']);
});

void test('newest first; replays sit right under the run they came from, even when newer runs exist', () => {
  const s = new Store();
  s.upsertRuns([run('old', 1, { status: 'Failed' }), run('mid', 2), run('new', 4), run('replay', 3, { rerunOf: { runId: 'old', fromStepId: 'charge' } }), run('replay2', 5, { rerunOf: { runId: 'replay' } })]);
  assert.deepEqual(s.visibleRuns().map((r) => `${r.run.id}:${r.depth}`), ['new:0', 'mid:0', 'old:0', 'replay:1', 'replay2:2']);
  // A replay whose origin is filtered out stands on its own.
  s.filter.status = 'Running';
  assert.deepEqual(s.visibleRuns().map((r) => `${r.run.id}:${r.depth}`), ['new:0', 'replay:0', 'replay2:1', 'mid:0']);
});

void test('filters: function, status, event name or id', () => {
  const s = new Store();
  s.upsertRuns([run('a', 1, { eventName: 'shop/nap', eventId: 'E1' }), run('b', 2, { functionId: 'app-other' }), run('c', 3, { status: 'Failed' })]);
  s.filter = { functionId: 'app-checkout', status: '', event: '' };
  assert.deepEqual(s.visibleRuns().map((r) => r.run.id), ['c', 'a']);
  s.filter = { functionId: '', status: 'Failed', event: '' };
  assert.deepEqual(s.visibleRuns().map((r) => r.run.id), ['c']);
  s.filter = { functionId: '', status: '', event: 'NAP' };
  assert.deepEqual(s.visibleRuns().map((r) => r.run.id), ['a']);
  s.filter = { functionId: '', status: '', event: 'E1' };
  assert.deepEqual(s.visibleRuns().map((r) => r.run.id), ['a']);
});
