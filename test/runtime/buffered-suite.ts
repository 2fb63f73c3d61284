// Executor audit F6: events held by batchEvents or debounce are visible before their run exists
// (Routes.event, stream `buffer.updated`), and once the run starts every event names it, the 2nd..nth
// events of a batch and the events a debounce merged included. `/v1/events/{id}/runs` stays as
// Inngest's REST has it (one event id per run). Real apps on the official SDK over HTTP on 127.0.0.1;
// one SDK per process (buffered-v3.test.ts, buffered-v4.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { route, type EventBuffer, type EventDetail, type EventRecord, type ExecutorToClient, type Page, type RunDetail, type V1List, type V1Run } from '../../runtime/api';
import { api, sendEvent, serveApp, startExecutor, syncApp, waitFor, type AppServer, type Harness } from './helpers';

/**
 * The functions each test file defines with its SDK:
 * - `batcher` on `buf/batch`, batchEvents { maxSize: 3, timeout: '30s' }: returns the ids (`data.n`) of its events.
 * - `debouncer` on `buf/debounce`, debounce { period: '1s' }: returns `event.data.n`.
 * - `limited` on `buf/limited`, debounce { period: '1s' } and rateLimit { limit: 1, period: '1m' }.
 */
export type MakeApp = (executorUrl: string) => http.RequestListener;

export function bufferedSuite(sdk: 'v3' | 'v4', makeApp: MakeApp): void {
  let h: Harness;
  let app: AppServer;
  let ws: WebSocket;
  const buffers: EventBuffer[] = [];

  before(async () => {
    h = await startExecutor();
    app = await serveApp(makeApp(h.url));
    await syncApp(h.url, app.url);
    ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${route('stream')}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (raw: Buffer) => {
        const m = JSON.parse(raw.toString()) as ExecutorToClient;
        if (m.type === 'hello') {
          ws.send(JSON.stringify({ type: 'subscribe', since: m.seq }));
          resolve();
        }
        if (m.type === 'buffer.updated') buffers.push(m.buffer);
      });
    });
  });
  after(async () => {
    ws?.close();
    await app?.close();
    await h?.close();
  });

  const detail = async (id: string): Promise<EventDetail> => {
    const r = await api<EventDetail>(h.url, route('event', { id }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };
  const streamed = (what: string, check: (b: EventBuffer) => boolean): Promise<EventBuffer> => waitFor(what, async () => buffers.find(check));

  void test(`${sdk}: a batch shows its events while it fills, then every event names the batch run`, async () => {
    const fn = `${'buf-' + sdk}-batcher`;
    const [e1] = await sendEvent(h.url, { name: 'buf/batch', data: { n: 1 } });
    const one = await detail(e1!);
    assert.equal(one.event.internalId, e1);
    assert.deepEqual(one.runs, []);
    assert.equal(one.buffers.length, 1, JSON.stringify(one.buffers));
    const b1 = one.buffers[0]!;
    assert.equal(b1.rule, 'batchEvents');
    assert.equal(b1.functionId, fn);
    assert.equal(b1.functionName, 'batcher');
    assert.equal(b1.state, 'open');
    assert.equal(b1.count, 1);
    assert.equal(b1.maxSize, 3);
    assert.deepEqual(b1.eventIds, [e1]);
    assert.ok(b1.startsAt - b1.openedAt >= 29_000 && b1.startsAt - b1.openedAt <= 30_000, `due 30 s after it opened: ${b1.startsAt - b1.openedAt}`);
    await streamed('the batch opening on the stream', (b) => b.id === b1.id && b.state === 'open' && b.count === 1);

    const [e2] = await sendEvent(h.url, { name: 'buf/batch', data: { n: 2 } });
    const two = await detail(e2!);
    assert.equal(two.buffers[0]?.count, 2);
    assert.deepEqual(two.buffers[0]?.eventIds, [e1, e2]);
    assert.equal(two.buffers[0]?.startsAt, b1.startsAt, 'a batch is due when its first event says');
    await streamed('the 2nd event on the stream', (b) => b.id === b1.id && b.state === 'open' && b.count === 2);

    const [e3] = await sendEvent(h.url, { name: 'buf/batch', data: { n: 3 } });
    const started = await streamed('the batch starting its run', (b) => b.id === b1.id && b.state === 'started');
    assert.ok(started.runId);
    assert.deepEqual(started.eventIds, [e1, e2, e3]);
    const run = await waitFor('the batch run to complete', async () => {
      const r = (await api<RunDetail>(h.url, route('run', { id: started.runId! }))).body;
      return r.status === 'Completed' ? r : undefined;
    });
    assert.deepEqual(run.output, [1, 2, 3]);

    for (const [i, id] of [e1, e2, e3].entries()) {
      const d = await detail(id!);
      assert.deepEqual(d.buffers, [], 'no longer buffered');
      assert.equal(d.runs.length, 1, `event ${i + 1}: ${JSON.stringify(d.runs)}`);
      assert.equal(d.runs[0]!.run.id, run.id);
      assert.equal(d.runs[0]!.role, i === 0 ? 'trigger' : 'batch');
      assert.equal(d.runs[0]!.position, i + 1);
      assert.equal(d.runs[0]!.of, 3);
      assert.deepEqual(d.event.runIds, [run.id]);
    }
    // Inngest's REST lists one event id per run: only the first event names the batch run there.
    const v1 = (id: string) => api<V1List<V1Run>>(h.url, route('v1EventRuns', { id })).then((r) => r.body.data.map((x) => x.run_id));
    assert.deepEqual(await v1(e1!), [run.id]);
    assert.deepEqual(await v1(e2!), []);
    // The events list names the run for every event of the batch.
    const listed = (await api<Page<EventRecord>>(h.url, `${route('events')}?name=buf/batch`)).body.data;
    assert.deepEqual(listed.find((e) => e.internalId === e3)?.runIds, [run.id]);
  });

  void test(`${sdk}: a debounce shows the events it merged and when it fires, then its run`, async () => {
    const [d1] = await sendEvent(h.url, { name: 'buf/debounce', data: { n: 1 } });
    const [d2] = await sendEvent(h.url, { name: 'buf/debounce', data: { n: 2 } });
    const held = await detail(d1!);
    assert.equal(held.buffers.length, 1, JSON.stringify(held.buffers));
    const b = held.buffers[0]!;
    assert.equal(b.rule, 'debounce');
    assert.equal(b.functionName, 'debouncer');
    assert.equal(b.count, 2);
    assert.deepEqual(b.eventIds, [d1, d2]);
    assert.ok(b.startsAt > b.openedAt, 'fires after it opened');
    assert.equal(b.maxSize, undefined);
    assert.deepEqual((await detail(d2!)).buffers.map((x) => x.id), [b.id]);
    const started = await streamed('the debounce starting its run', (x) => x.id === b.id && x.state === 'started');
    assert.deepEqual(started.eventIds, [d1, d2]);
    const first = await detail(d1!);
    assert.deepEqual(first.buffers, []);
    assert.equal(first.runs.length, 1, JSON.stringify(first.runs));
    assert.equal(first.runs[0]!.role, 'debounced');
    assert.equal(first.runs[0]!.runEventId, d2);
    assert.equal(first.runs[0]!.run.id, started.runId);
    const last = await detail(d2!);
    assert.equal(last.runs[0]?.role, 'trigger');
    assert.equal(last.runs[0]?.run.id, started.runId);
    const run = await waitFor('the debounced run to complete', async () => {
      const r = (await api<RunDetail>(h.url, route('run', { id: started.runId! }))).body;
      return r.status === 'Completed' ? r : undefined;
    });
    assert.equal(run.output, 2, 'the run got the last event');
  });

  void test(`${sdk}: a debounce whose run another rule skips says it was dropped, and why`, async () => {
    const [a] = await sendEvent(h.url, { name: 'buf/limited', data: { n: 1 } });
    const first = await streamed('the first debounce starting its run', (x) => x.eventIds.includes(a!) && x.state === 'started');
    assert.ok(first.runId);
    // The rate limit (1 per minute) is used up: the next debounce fires into a skip.
    const [b] = await sendEvent(h.url, { name: 'buf/limited', data: { n: 2 } });
    assert.equal((await detail(b!)).buffers[0]?.state, 'open');
    const dropped = await streamed('the second debounce dropped', (x) => x.eventIds.includes(b!) && x.state === 'dropped');
    assert.match(dropped.reason ?? '', /rateLimit/);
    const d = await detail(b!);
    assert.deepEqual(d.runs, []);
    assert.equal(d.buffers.length, 1);
    assert.equal(d.buffers[0]!.state, 'dropped');
    assert.equal(d.buffers[0]!.reason, dropped.reason);
  });

  void test(`${sdk}: an open batch is still shown after a restart, and its run still names every event`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steplens-buf-restart-'));
    let own: Harness | undefined = await startExecutor({ dataDir: dir });
    const ownApp = await serveApp(makeApp(own.url));
    try {
      await syncApp(own.url, ownApp.url);
      const [e1] = await sendEvent(own.url, { name: 'buf/batch', data: { n: 1 } });
      const [e2] = await sendEvent(own.url, { name: 'buf/batch', data: { n: 2 } });
      await own.ex.dispose();
      // Same port: the app registers with the URL it was given.
      own = await startExecutor({ dataDir: dir, port: Number(new URL(own.url).port) });
      // (The first call may meet a kept-alive socket of the stopped process: waitFor tries again.)
      const held = await waitFor('the event after the restart', async () => (await api<EventDetail>(own!.url, route('event', { id: e2! }))).body);
      assert.equal(held.buffers[0]?.state, 'open', JSON.stringify(held));
      assert.deepEqual(held.buffers[0]?.eventIds, [e1, e2]);
      await syncApp(own.url, ownApp.url);
      const [e3] = await sendEvent(own.url, { name: 'buf/batch', data: { n: 3 } });
      const d = await waitFor('the batch run', async () => (await api<EventDetail>(own!.url, route('event', { id: e2! }))).body.runs[0]);
      assert.equal(d.role, 'batch');
      assert.equal(d.position, 2);
      const last = (await api<EventDetail>(own.url, route('event', { id: e3! }))).body.runs[0];
      assert.equal(last?.run.id, d.run.id);
    } finally {
      await ownApp.close();
      await own.ex.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });

  void test(`${sdk}: an unknown event is a 404 with a hint`, async () => {
    const r = await api<{ error: string; hint?: string }>(h.url, route('event', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }));
    assert.equal(r.status, 404);
    assert.match(r.body.error, /no event/);
    assert.ok(r.body.hint);
  });
}
