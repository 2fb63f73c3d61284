// Inngest realtime on inngest 3.54.2: the v3 SDK ships publishing (`step.realtime.publish`,
// `inngest.realtime.publish`) and `inngest.realtime.getSubscriptionToken`, but its subscriber lives in
// the separate `@inngest/realtime` package (not a dependency here). So a real v3 app publishes over
// HTTP on 127.0.0.1, the token comes from the v3 client, and the subscriber is a plain WebSocket on
// /v1/realtime/connect reading the JSON messages `@inngest/realtime` would validate.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Inngest } from 'inngest-v3';
import { serve } from 'inngest-v3/node';
import WebSocket from 'ws';
import { route } from '../../runtime/api';
import { finishedRuns, sendEvent, serveApp, startExecutor, syncApp, waitFor, type AppServer, type Harness } from './helpers';

interface Wire {
  kind: string;
  channel?: string;
  topic?: string;
  data: unknown;
  run_id?: string;
  created_at?: string;
}

let h: Harness;
let app: AppServer;
let client: Inngest;
const sockets: WebSocket[] = [];

before(async () => {
  h = await startExecutor();
  client = new Inngest({ id: 'rt-v3', isDev: true, baseUrl: h.url });
  const progress = client.createFunction({ id: 'progress', retries: 0 }, { event: 'rt/progress' }, async ({ event, step }) => {
    const { id, count } = event.data as { id: string; count: number };
    for (let i = 1; i <= count; i++) await step.realtime.publish(`p${i}`, { channel: `job:${id}`, topic: 'progress', data: { i } });
    await client.realtime.publish({ channel: `job:${id}`, topic: 'log', data: `done ${count}` });
    return count;
  });
  app = await serveApp(serve({ client, functions: [progress] }));
  await syncApp(h.url, app.url);
});

after(async () => {
  for (const ws of sockets) ws.close();
  await app?.close();
  await h?.close();
});

/** Token from the v3 client, then a WebSocket; collects every message. */
async function listen(channel: string, topics: string[]): Promise<Wire[]> {
  const token = await client.realtime.getSubscriptionToken({ channel, topics });
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${route('realtimeConnect')}?token=${token.key}`);
  sockets.push(ws);
  const got: Wire[] = [];
  ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as Wire));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return got;
}

void test('v3: step.realtime.publish and inngest.realtime.publish reach subscribers of that channel and topic, in order', async () => {
  const progress = await listen('job:a', ['progress']);
  const both = await listen('job:a', ['progress', 'log']);
  const other = await listen('job:b', ['progress']);
  const [evId] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'a', count: 4 } });
  const [run] = await finishedRuns(h.url, evId!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  await waitFor('4 progress messages and the log line', async () => progress.length >= 4 && both.length >= 5);
  assert.deepEqual(
    progress.map((m) => [m.kind, m.channel, m.topic, m.data, m.run_id]),
    [1, 2, 3, 4].map((i) => ['data', 'job:a', 'progress', { i }, run!.id]),
  );
  assert.ok(progress.every((m) => !Number.isNaN(Date.parse(m.created_at ?? ''))), 'created_at is a time');
  assert.deepEqual(
    both.map((m) => [m.topic, m.data]),
    [...[1, 2, 3, 4].map((i) => ['progress', { i }]), ['log', 'done 4']],
  );
  // The other channel's subscriber is live (it gets its own channel's message) and got nothing else.
  const [ev2] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'b', count: 1 } });
  await finishedRuns(h.url, ev2!);
  await waitFor('job:b', async () => other.length >= 1);
  assert.deepEqual(
    other.map((m) => [m.channel, m.data]),
    [['job:b', { i: 1 }]],
  );
});

void test('v3: a function publishing with nobody subscribed completes', async () => {
  const [evId] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'nobody', count: 2 } });
  const [run] = await finishedRuns(h.url, evId!);
  assert.equal(run!.status, 'Completed');
  assert.equal(run!.output, 2);
});
