// The composer's notes for events held by a debounce or batch (media/buffers.ts) and the store's
// bookkeeping behind them (media/store.ts), in plain Node (executor audit F6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventBuffer, EventDetail, RunSummary } from '../../runtime/api';
import { bufferNote, bufferNotes, countdown } from '../../media/buffers';
import { Store, type StoreChange } from '../../media/store';

const T0 = 1_800_000_000_000;
const batch = (extra: Partial<EventBuffer> = {}): EventBuffer => ({
  id: 'batch:app-batcher:', rule: 'batchEvents', functionId: 'app-batcher', functionName: 'batcher', key: '',
  eventIds: ['e1', 'e2'], count: 2, maxSize: 3, openedAt: T0, startsAt: T0 + 30_000, state: 'open', ...extra,
});
const debounce = (extra: Partial<EventBuffer> = {}): EventBuffer => ({
  id: 'debounce:app-deb:u1', rule: 'debounce', functionId: 'app-deb', functionName: 'debouncer', key: 'u1',
  eventIds: ['d1'], count: 1, openedAt: T0, startsAt: T0 + 5_000, state: 'open', ...extra,
});
const run = (id: string, eventId: string, queuedAt: number): RunSummary => ({
  id, functionId: 'app-batcher', functionName: 'batcher', appId: 'app', status: 'Running', eventId, eventName: 'x', queuedAt, stepCount: 0, requestCount: 0,
});

void test('countdowns never go negative and stay short', () => {
  assert.equal(countdown(12_300), '13 s');
  assert.equal(countdown(-5), '0 s');
  assert.equal(countdown(125_000), '2 min 05 s');
  assert.equal(countdown(3 * 3_600_000 + 60_000), '3 h 01 min');
});

void test('an open batch says how full it is and when it starts, counting down', () => {
  const n = bufferNote(batch(), 'e2', T0 + 2_000);
  assert.equal(n.text, 'buffered in batch for batcher, 2 of 3, starts in 28 s or when full');
  assert.equal(n.state, 'open');
  assert.equal(n.due, T0 + 30_000, 're-rendered until it is due');
  assert.equal(n.runId, undefined);
  assert.equal(bufferNote(batch(), 'e2', T0 + 12_500).text, 'buffered in batch for batcher, 2 of 3, starts in 18 s or when full');
  assert.match(bufferNote(batch(), 'e2', T0 + 31_000).text, /starts now or when full$/);
});

void test('a debounce says when it fires and how many events it merged', () => {
  assert.equal(bufferNote(debounce(), 'd1', T0 + 1_000).text, 'debounced for debouncer, fires in 4 s');
  const merged = bufferNote(debounce({ eventIds: ['d1', 'd2', 'd3'], count: 3, startsAt: T0 + 9_000 }), 'd1', T0 + 1_000);
  assert.equal(merged.text, 'debounced for debouncer, fires in 8 s (3 events merged; the last one starts the run)');
});

void test('a started buffer links to its run; a dropped one says why', () => {
  const started = bufferNote(batch({ state: 'started', runId: '01JRUNRUNRUNAB12CD34', eventIds: ['e1', 'e2', 'e3'], count: 3 }), 'e2', T0);
  assert.equal(started.text, 'batch for batcher started run AB12CD34 (this event is 2 of 3)');
  assert.equal(started.runId, '01JRUNRUNRUNAB12CD34');
  assert.equal(started.due, undefined, 'nothing to count down');
  const fired = bufferNote(debounce({ state: 'started', runId: 'r1', eventIds: ['d1', 'd2'], count: 2 }), 'd1', T0);
  assert.equal(fired.text, 'debounce for debouncer fired: run r1 got a later event');
  assert.equal(bufferNote(debounce({ state: 'started', runId: 'r1', eventIds: ['d1', 'd2'], count: 2 }), 'd2', T0).text, 'debounce for debouncer fired: run r1');
  const dropped = bufferNote(debounce({ state: 'dropped', reason: 'rateLimit: 1 per 1m' }), 'd1', T0);
  assert.equal(dropped.text, 'debounce for debouncer dropped: rateLimit: 1 per 1m');
  assert.notEqual(dropped.key, bufferNote(debounce(), 'd1', T0).key, 'a new state is a new row');
});

void test('one note per buffer for the events just sent', () => {
  const b = batch();
  const map = new Map([['e1', b], ['e2', b], ['d1', debounce()]]);
  const notes = bufferNotes(map, ['e1', 'e2', 'd1', 'unknown'], T0);
  assert.deepEqual(notes.map((n) => n.rule), ['batchEvents', 'debounce']);
});

void test('the store follows buffer.updated and links every event of a batch to its run', () => {
  const s = new Store();
  const changes: StoreChange[] = [];
  s.on((c) => changes.push(c));
  s.receive({ type: 'buffer.updated', seq: 1, buffer: batch({ eventIds: ['e1'], count: 1 }) });
  s.receive({ type: 'buffer.updated', seq: 2, buffer: batch() });
  assert.equal(s.buffers.get('e1')?.count, 2, 'the earlier event sees the newer state');
  assert.deepEqual(changes.map((c) => c.kind), ['buffers', 'buffers']);
  s.receive({ type: 'run.created', seq: 3, run: run('r1', 'e1', T0 + 5) });
  s.receive({ type: 'buffer.updated', seq: 4, buffer: batch({ state: 'started', runId: 'r1', eventIds: ['e1', 'e2', 'e3'], count: 3 }) });
  assert.equal(s.lastSeq, 4);
  // The run's own event is e1: e2 and e3 find it through the buffer.
  for (const id of ['e1', 'e2', 'e3']) assert.deepEqual(s.runsForEvents([id]).map((r) => r.id), ['r1'], id);
  assert.deepEqual(s.runsForEvents(['other']), []);
});

void test('an event detail fills runs, links and buffers at once', () => {
  const s = new Store();
  const d: EventDetail = {
    event: { id: 'e2', internalId: 'e2', name: 'x', data: {}, ts: T0, receivedAt: T0 },
    runs: [{ run: run('r9', 'e1', T0), role: 'batch', position: 2, of: 2 }],
    buffers: [debounce({ eventIds: ['e2'], state: 'dropped', reason: 'gone' })],
  };
  s.putEventDetail(d);
  assert.deepEqual(s.runsForEvents(['e2']).map((r) => r.id), ['r9']);
  assert.equal(s.buffers.get('e2')?.state, 'dropped');
  // The store forgets the oldest buffered events past its cap, not the newest.
  for (let i = 0; i < 2100; i++) s.putBuffer(debounce({ id: `debounce:f:${i}`, eventIds: [`x${i}`] }), false);
  assert.equal(s.buffers.size, 2000);
  assert.ok(s.buffers.has('x2099'));
  assert.ok(!s.buffers.has('e2'));
});
