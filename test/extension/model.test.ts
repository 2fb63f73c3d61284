// The extension's model and its formatting: what CodeLens, views and the status bar say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Model, bufferText, formatAgo, formatDuration, formatIn, runOutcome } from '../../extension/model';
import type { EventBuffer, RunSummary } from '../../runtime/api';
import type { FunctionEntry } from '../../language-server/protocol';

const now = 1_800_000_000_000;
function run(p: Partial<RunSummary>): RunSummary {
  return { id: 'r1', functionId: 'app-fn', functionName: 'fn', appId: 'app', status: 'Completed', eventId: 'e', eventName: 'x', queuedAt: now - 5000, stepCount: 3, requestCount: 4, ...p };
}

void test('run outcomes read like the product says', () => {
  assert.equal(runOutcome(run({ startedAt: now - 3200, endedAt: now - 2000 }), now), 'completed 2s ago, 3 steps, 1.2 s');
  assert.equal(runOutcome(run({ status: 'Failed', error: { name: 'Error', message: 'card declined' } }), now), 'failed: card declined');
  assert.equal(runOutcome(run({ status: 'Running', stepCount: 1 }), now), 'running, 1 step');
  assert.equal(runOutcome(run({ status: 'Queued', hold: { rule: 'concurrency', detail: 'limit 1 reached' } }), now), 'queued: limit 1 reached');
  assert.equal(formatDuration(84), '84 ms');
  assert.equal(formatDuration(125_000), '2 min 5 s');
  assert.equal(formatAgo(now - 3 * 3600_000, now), '3h ago');
});

void test('the model keeps the newest run per function, emits only on change, and matches source to executor slugs', () => {
  const m = new Model();
  const changes: string[] = [];
  m.onChange((c) => changes.push(c));
  m.setRuns([run({ id: 'a', queuedAt: 1 }), run({ id: 'b', queuedAt: 2, status: 'Failed' })]);
  assert.equal(m.lastRun('app-fn')?.id, 'b');
  assert.deepEqual(m.setRuns([run({ id: 'a', queuedAt: 1 })]), [], 'same run again is no change');
  assert.deepEqual(changes, ['runs']);
  m.apply({ type: 'run.updated', seq: 1, run: run({ id: 'b', queuedAt: 2, status: 'Completed' }) });
  assert.equal(m.lastRun('app-fn')?.status, 'Completed');
  const fn = { id: 'fn', appId: null, slug: 'fn', uri: 'file:///x.ts', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, triggers: [], steps: [], sdkMajor: 4 } as FunctionEntry;
  m.setSourceFunctions([fn]);
  m.setApps([], [{ id: 'app-fn', name: 'fn', appId: 'app', triggers: [], maxAttempts: 4, config: {} }]);
  assert.equal(m.executorFunction(fn)?.id, 'app-fn', 'an unresolved app id still matches by the -<id> suffix');
  assert.equal(m.functionsWithoutSource().length, 0);
  m.setExecutor({ kind: 'stopped' });
  assert.equal(m.executorFunctions.length, 0, 'a stopped executor knows no functions');
});

void test('a function of an unresolved app matches by its id only when one synced function fits', () => {
  const m = new Model();
  const fn = { id: 'sync', appId: null, appIdUnresolved: true, slug: 'sync', uri: 'file:///x.ts', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, triggers: [], steps: [], sdkMajor: 4 } as FunctionEntry;
  m.setSourceFunctions([fn]);
  const info = (id: string, appId: string) => ({ id, name: 'sync', appId, triggers: [], maxAttempts: 4, config: {} });
  m.setApps([], [info('billing-sync', 'billing')]);
  assert.equal(m.executorFunction(fn)?.id, 'billing-sync');
  assert.equal(m.sourceFunction('billing-sync'), fn);
  m.setApps([], [info('billing-sync', 'billing'), info('crm-sync', 'crm')]);
  assert.equal(m.executorFunction(fn), undefined, 'two apps serve a `sync`: no guess');
  assert.equal(m.sourceFunction('crm-sync'), undefined);
});

void test('a function whose id is computed at run time never matches an executor function by its placeholder', () => {
  const m = new Model();
  const computed = { id: '{config.id}', idUnresolved: true, appId: 'app', slug: 'app-{config.id}', uri: 'file:///x.ts', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, triggers: [], steps: [], sdkMajor: 4 } as FunctionEntry;
  m.setSourceFunctions([computed]);
  m.setApps([], [{ id: 'app-sync-users', name: 'sync users', appId: 'app', triggers: [], maxAttempts: 4, config: {} }]);
  assert.equal(m.executorFunction(computed), undefined);
  assert.equal(m.sourceFunction('app-sync-users'), undefined);
  assert.deepEqual(m.functionsWithoutSource().map((f) => f.id), ['app-sync-users'], 'listed under its app by its real id');
});

void test('runs started by a streamed event are counted on it (the stream sends the event before its runs)', () => {
  const m = new Model();
  const changes: string[] = [];
  m.onChange((c) => changes.push(c));
  m.apply({ type: 'event.received', seq: 1, event: { id: 'ev-1', internalId: 'ev-1', name: 'app/user.signup', data: {}, ts: now, receivedAt: now } });
  m.apply({ type: 'run.created', seq: 2, run: run({ id: 'r-a', eventId: 'ev-1', status: 'Queued' }) });
  m.apply({ type: 'run.created', seq: 3, run: run({ id: 'r-b', functionId: 'app-other', eventId: 'ev-1', status: 'Queued' }) });
  m.apply({ type: 'run.finished', seq: 4, run: run({ id: 'r-a', eventId: 'ev-1' }) });
  assert.deepEqual(m.recentEvents()[0]?.runIds, ['r-a', 'r-b'], 'each run once');
  assert.deepEqual(changes.filter((c) => c === 'events').length, 3, 'the Events view refreshes when the count changes, not on every run update');
  m.apply({ type: 'run.created', seq: 5, run: run({ id: 'r-c', eventId: 'unknown' }) });
  assert.equal(m.recentEvents()[0]?.runIds?.length, 2);
});

void test('after a reload, the last run of each workspace function is the one whose steps are fetched for the decorations', () => {
  const m = new Model();
  const fn = (id: string) => ({ id, appId: 'app', slug: `app-${id}`, uri: 'file:///x.ts', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, triggers: [], steps: [], sdkMajor: 4 }) as FunctionEntry;
  m.setRuns([run({ id: 'old', functionId: 'app-a', queuedAt: 1 }), run({ id: 'new', functionId: 'app-a', queuedAt: 2 }), run({ id: 'other', functionId: 'app-elsewhere', queuedAt: 3 }), run({ id: 'other-asleep', functionId: 'app-elsewhere', queuedAt: 0, status: 'Running' })]);
  assert.deepEqual(m.lastRunsWithoutDetail(), [], 'no workspace functions known yet (the language server answers later)');
  m.setSourceFunctions([fn('a'), fn('b')]);
  assert.deepEqual(m.lastRunsWithoutDetail().map((r) => r.id), ['new'], 'only the last run of a function in the source');
  m.setRuns([run({ id: 'asleep', functionId: 'app-b', queuedAt: 0, status: 'Running' }), run({ id: 'done', functionId: 'app-b', queuedAt: 1 })]);
  assert.deepEqual(m.lastRunsWithoutDetail().map((r) => r.id).sort(), ['asleep', 'done', 'new'], 'and every running run of a workspace function');
  for (const id of ['asleep', 'done']) m.setDetail({ ...run({ id, functionId: 'app-b' }), event: null, events: [], steps: [], exchanges: [], reruns: [], stack: [], childRunIds: [] });
  m.setDetail({ ...run({ id: 'new', functionId: 'app-a', queuedAt: 2 }), event: null, events: [], steps: [], exchanges: [], reruns: [], stack: [], childRunIds: [] });
  assert.deepEqual(m.lastRunsWithoutDetail(), [], 'loaded once');
});

void test('a running run that sleeps or waits says so in its outcome (CodeLens, tooltips)', () => {
  // RunSummary.paused: the executor says what a running run waits on, for every run
  const running = run({ status: 'Running', stepCount: 1 });
  assert.equal(runOutcome({ ...running, paused: { kind: 'sleep', step: 'nap', until: now + 24 * 3600_000 } }, now), 'sleeping, wakes in 24h');
  assert.equal(runOutcome({ ...running, paused: { kind: 'waitForEvent', step: 'approval', until: now + 1000, on: 'app/order.placed' } }, now), 'waiting for app/order.placed');
  assert.equal(runOutcome({ ...running, paused: { kind: 'signal', step: 'ok', until: now + 1000, on: 'approve' } }, now), 'waiting for signal approve');
  assert.equal(runOutcome(running, now), 'running, 1 step', 'not paused');
  assert.equal(formatIn(now + 90_000, now), 'in 2m');
});

void test('a batched event says so in the Events view until its batch starts, then counts the batch run', () => {
  const m = new Model();
  const changes: string[] = [];
  m.onChange((c) => changes.push(c));
  const ev = (id: string) => ({ id, internalId: `i-${id}`, name: 'shop/batch', data: {}, ts: now, receivedAt: now });
  m.apply({ type: 'event.received', seq: 1, event: ev('e1') });
  m.apply({ type: 'event.received', seq: 2, event: ev('e2') });
  const buffer: EventBuffer = { id: 'batch:shop-charge:', rule: 'batchEvents', functionId: 'shop-charge', functionName: 'charge', key: '', eventIds: ['e1', 'e2'], count: 2, maxSize: 3, openedAt: now, startsAt: now + 8000, state: 'open' };
  m.apply({ type: 'buffer.updated', seq: 3, buffer });
  const [second, first] = m.recentEvents();
  assert.equal(m.bufferOf(first!)?.id, buffer.id);
  assert.equal(m.bufferOf(second!)?.id, buffer.id);
  assert.equal(bufferText(buffer, now), 'batched for charge (2 of 3), starts in 8s');
  assert.equal(bufferText({ ...buffer, rule: 'debounce', maxSize: undefined }, now), 'debounced for charge, fires in 8s');
  m.apply({ type: 'buffer.updated', seq: 4, buffer: { ...buffer, state: 'started', runId: 'r-batch' } });
  assert.equal(m.bufferOf(first!), undefined, 'started: no longer buffered');
  assert.deepEqual(m.recentEvents().map((e) => e.runIds), [['r-batch'], ['r-batch']], 'both events of the batch count its run');
  assert.equal(changes.filter((c) => c === 'events').length, 4);
});
