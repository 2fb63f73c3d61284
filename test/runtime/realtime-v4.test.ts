// Inngest realtime on inngest v4 (`inngest-v4/realtime`): a real app over HTTP on 127.0.0.1 publishes
// from its functions (`step.realtime.publish`, `inngest.realtime.publish`), and clients subscribe with
// the SDK's own `getSubscriptionToken` + `subscribe` (the WebSocket at /v1/realtime/connect), as a
// Node 20 user does: `globalThis.WebSocket` from `ws`. Also the wire details the SDK does not show:
// the token route's errors, a malformed or forged token, oversized messages, Host/Origin, SSE.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { Inngest } from 'inngest-v4';
import { serve } from 'inngest-v4/node';
import { channel, getSubscriptionToken, staticSchema, subscribe } from 'inngest-v4/realtime';
import WebSocket from 'ws';
import { route } from '../../runtime/api';
import { api, finishedRuns, sendEvent, serveApp, startExecutor, syncApp, waitFor, type AppServer, type Harness } from './helpers';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

const job = channel({
  name: (id: string) => `job:${id}`,
  topics: {
    progress: { schema: staticSchema<{ i: number; of: number }>() },
    log: { schema: staticSchema<{ line: string }>() },
    text: { schema: staticSchema<Record<string, unknown>>() },
  },
});

interface Got {
  kind: string;
  channel?: string;
  topic?: string;
  data: unknown;
  runId?: string;
}

let h: Harness;
let app: AppServer;
let client: Inngest;
const subs: { close(reason?: string): void }[] = [];

before(async () => {
  h = await startExecutor();
  client = new Inngest({ id: 'rt-v4', isDev: true, baseUrl: h.url });
  // Publishes `count` progress messages from steps, then one log line from outside any step.
  const progress = client.createFunction({ id: 'progress', retries: 0, triggers: [{ event: 'rt/progress' }] }, async ({ event, step }) => {
    const { id, count } = event.data as { id: string; count: number };
    for (let i = 1; i <= count; i++) await step.realtime.publish(`p${i}`, job(id).progress, { i, of: count });
    await client.realtime.publish(job(id).log, { line: `done ${count}` });
    return count;
  });
  // Streams `parts` (text) through `inngest.realtime.publish` with a ReadableStream body (`text/stream`).
  const streamer = client.createFunction({ id: 'streamer', retries: 0, triggers: [{ event: 'rt/stream' }] }, async ({ event }) => {
    const { id, parts } = event.data as { id: string; parts: string[] };
    const enc = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of parts) c.enqueue(enc.encode(p));
        c.close();
      },
    });
    await client.realtime.publish(job(id).text, body as never);
    return parts.length;
  });
  app = await serveApp(serve({ client, functions: [progress, streamer] }));
  await syncApp(h.url, app.url);
});

after(async () => {
  for (const s of subs) s.close();
  await app?.close();
  await h?.close();
});

/** Subscribes with the SDK (token from the executor); collects every message. */
async function listen(id: string, topics: ('progress' | 'log')[]): Promise<Got[]> {
  const got: Got[] = [];
  const token = await getSubscriptionToken(client, { channel: job(id), topics });
  assert.ok(token.key && token.key.split('.').length === 3, 'the executor answers a JWT');
  const sub = await subscribe({ ...token, onMessage: (m: Got) => void got.push(m) });
  subs.push(sub);
  return got;
}

const wsBase = (): string => h.url.replace(/^http/, 'ws');

/** Opens a raw WebSocket and answers its handshake status (101 when accepted) and refusal body. */
function rawConnect(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsBase() + path, { headers });
    ws.once('open', () => resolve({ status: 101, body: '', ws }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}

void test('v4: messages published in a run reach a subscriber in order, with the SDK-validated shape', async () => {
  const progress = await listen('a', ['progress']);
  const logs = await listen('a', ['log']);
  const [evId] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'a', count: 5 } });
  const [run] = await finishedRuns(h.url, evId!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  await waitFor('5 progress messages and 1 log line', async () => progress.length >= 5 && logs.length >= 1);
  assert.deepEqual(
    progress.map((m) => m.data),
    [1, 2, 3, 4, 5].map((i) => ({ i, of: 5 })),
  );
  for (const m of progress) {
    assert.equal(m.kind, 'data');
    assert.equal(m.channel, 'job:a');
    assert.equal(m.topic, 'progress');
    assert.equal(m.runId, run!.id, 'the run id the SDK sent comes back');
  }
  assert.deepEqual(
    logs.map((m) => [m.topic, m.data]),
    [['log', { line: 'done 5' }]],
    'the log subscriber gets the log topic only',
  );
});

void test('v4: a subscriber of another channel or topic gets nothing', async () => {
  const otherChannel = await listen('b-other', ['progress']);
  const otherTopic = await listen('b', ['log']);
  const mine = await listen('b', ['progress']);
  const [evId] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'b', count: 3 } });
  await finishedRuns(h.url, evId!);
  await waitFor('3 progress messages on job:b', async () => mine.length >= 3 && otherTopic.length >= 1);
  // Both other subscribers are live: the next message on their own channel/topic is the first they get.
  const [ev2] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'b-other', count: 1 } });
  await finishedRuns(h.url, ev2!);
  await waitFor('the message on job:b-other', async () => otherChannel.length >= 1);
  assert.deepEqual(
    otherChannel.map((m) => [m.channel, m.data]),
    [['job:b-other', { i: 1, of: 1 }]],
  );
  assert.deepEqual(
    otherTopic.map((m) => m.topic),
    ['log'],
  );
  assert.equal(mine.length, 3);
});

void test('v4: publishing with no subscriber is fine (the run completes, nothing is kept)', async () => {
  const before = h.ex.realtime!.hub.delivered;
  const [evId] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'nobody', count: 3 } });
  const [run] = await finishedRuns(h.url, evId!);
  assert.equal(run!.status, 'Completed');
  assert.equal(run!.output, 3);
  assert.equal(h.ex.realtime!.hub.delivered, before, 'nothing delivered');
  // A subscriber arriving later gets no replay of it.
  const late = await listen('nobody', ['progress']);
  const direct = await fetch(`${h.url}${route('realtimePublish')}?channel=job:nobody&topic=progress`, { method: 'POST', body: JSON.stringify({ i: 9, of: 9 }) });
  assert.equal(direct.status, 200);
  await waitFor('the live message', async () => late.length >= 1);
  assert.deepEqual(
    late.map((m) => m.data),
    [{ i: 9, of: 9 }],
  );
});

void test('v4: a malformed, forged or missing token is refused with 401 and the reason; the executor keeps serving', async () => {
  const garbage = await rawConnect(`${route('realtimeConnect')}?token=not-a-jwt`);
  assert.equal(garbage.status, 401);
  assert.match(JSON.parse(garbage.body).error, /malformed realtime token/);
  const good = (await api<{ jwt: string }>(h.url, route('realtimeToken'), { method: 'POST', body: [{ channel: 'job:x', name: 'progress', kind: 'run' }] })).body.jwt;
  const [hd, claims] = good.split('.');
  const forgedClaims = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims!, 'base64url').toString()), topics: [{ kind: 'run', channel: 'job:secret', name: 'progress' }] })).toString('base64url');
  const forged = await rawConnect(`${route('realtimeConnect')}?token=${hd}.${forgedClaims}.${good.split('.')[2]}`);
  assert.equal(forged.status, 401);
  assert.match(JSON.parse(forged.body).error, /signature does not match/);
  const none = await rawConnect(route('realtimeConnect'));
  assert.equal(none.status, 401);
  assert.match(JSON.parse(none.body).error, /no realtime token/);
  // The SDK surfaces the refusal as a rejected subscribe (with the WebSocket's error event; it also logs it).
  await assert.rejects(subscribe({ channel: job('x'), topics: ['progress'], key: 'not-a-jwt', apiBaseUrl: h.url }));
  // Still serving: a good token connects and receives.
  const ok = await rawConnect(`${route('realtimeConnect')}?token=${good}`);
  assert.equal(ok.status, 101);
  const first = new Promise<string>((r) => ok.ws!.once('message', (d: Buffer) => r(d.toString())));
  await fetch(`${h.url}${route('realtimePublish')}?channel=job:x&topic=progress`, { method: 'POST', body: 'plain text' });
  const m = JSON.parse(await first) as Got;
  assert.equal(m.data, 'plain text', 'a body that is not JSON arrives as a string (as in Go)');
  ok.ws!.close();
  // A plain GET of the WebSocket route says what it is.
  assert.equal((await api(h.url, route('realtimeConnect'))).status, 426);
});

void test('v4: bad token requests and publishes get clear 4xx answers', async () => {
  const tok = (body: unknown) => api<{ error: string }>(h.url, route('realtimeToken'), { method: 'POST', body });
  let r = await tok({ channel: 'x' });
  assert.equal(r.status, 400);
  assert.match(r.body.error, /list of topics/);
  r = await tok([{ name: 'progress' }]);
  assert.equal(r.status, 400);
  assert.match(r.body.error, /no channel/);
  r = await tok([{ channel: 'x', name: 'p', kind: 'event' }]);
  assert.equal(r.status, 400);
  r = await tok('{not json');
  assert.equal(r.status, 400);
  const pub = (q: string, body: string) => fetch(`${h.url}${route('realtimePublish')}${q}`, { method: 'POST', body }).then(async (x) => ({ status: x.status, body: (await x.json()) as { error: string } }));
  let p = await pub('?topic=t', '{}');
  assert.equal(p.status, 400);
  assert.match(p.body.error, /needs a channel/);
  p = await pub('?channel=c', '{}');
  assert.equal(p.status, 400);
  assert.match(p.body.error, /needs a topic/);
  p = await pub('?channel=c&topic=t', JSON.stringify({ big: 'x'.repeat(600 * 1024) }));
  assert.equal(p.status, 413);
  assert.match(p.body.error, /larger than 512 KB/);
  assert.equal((await api<{ ok: boolean }>(h.url, route('health'))).body.ok, true);
});

void test('v4: the WebSocket follows the Host and Origin rules of the other routes', async () => {
  const good = (await api<{ jwt: string }>(h.url, route('realtimeToken'), { method: 'POST', body: [{ channel: 'c', name: 't' }] })).body.jwt;
  const host = await rawConnect(`${route('realtimeConnect')}?token=${good}`, { host: 'evil.example' });
  assert.equal(host.status, 403);
  const origin = await rawConnect(`${route('realtimeConnect')}?token=${good}`, { origin: 'https://evil.example' });
  assert.equal(origin.status, 403);
  const local = await rawConnect(`${route('realtimeConnect')}?token=${good}`, { origin: 'http://localhost:3000' });
  assert.equal(local.status, 101, 'a local web app may subscribe');
  local.ws!.close();
});

void test('v4: bound to 0.0.0.0 (apps in containers), the realtime routes accept any Host, like the other SDK routes', async () => {
  const wide = await startExecutor({ host: '0.0.0.0' });
  try {
    const tok = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${wide.url}${route('realtimeToken')}`, { method: 'POST', headers: { host: 'host.docker.internal:8288', 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end(JSON.stringify([{ channel: 'c', name: 't' }]));
    });
    assert.equal(tok.status, 201, tok.body);
    const { jwt } = JSON.parse(tok.body) as { jwt: string };
    const open = (path: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${wide.url.replace(/^http/, 'ws')}${path}`, { headers: { host: 'host.docker.internal:8288' } });
        ws.once('open', () => (ws.close(), resolve(101)));
        ws.once('unexpected-response', (_q, r) => resolve(r.statusCode ?? 0));
        ws.once('error', () => undefined);
      });
    assert.equal(await open(`${route('realtimeConnect')}?token=${jwt}`), 101);
    assert.equal(await open(route('stream')), 403, 'the Steplens stream keeps the local-Host rule');
  } finally {
    await wide.close();
  }
});

void test('v4: Server-Sent Events at /v1/realtime/sse carry the same messages', async () => {
  const bad = await fetch(`${h.url}${route('realtimeSse')}?token=nope`);
  assert.equal(bad.status, 401);
  const jwt = (await api<{ jwt: string }>(h.url, route('realtimeToken'), { method: 'POST', body: [{ channel: 'job:sse', name: 'progress', kind: 'run' }] })).body.jwt;
  const ctl = new AbortController();
  const res = await fetch(`${h.url}${route('realtimeSse')}?token=${jwt}`, { signal: ctl.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  await waitFor('the SSE subscriber', async () => h.ex.realtime!.hub.hasListeners('job:sse', 'progress'));
  const [evId] = await sendEvent(h.url, { name: 'rt/progress', data: { id: 'sse', count: 2 } });
  const reader = res.body!.getReader();
  let text = '';
  const dec = new TextDecoder();
  while ((text.match(/^data: /gm) ?? []).length < 2) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  ctl.abort();
  const msgs = text
    .split('\n\n')
    .filter((b) => b.startsWith('data: '))
    .map((b) => JSON.parse(b.slice(6)) as Got);
  assert.deepEqual(
    msgs.map((m) => [m.kind, m.channel, m.topic, m.data]),
    [
      ['data', 'job:sse', 'progress', { i: 1, of: 2 }],
      ['data', 'job:sse', 'progress', { i: 2, of: 2 }],
    ],
  );
  await finishedRuns(h.url, evId!);
  await waitFor('the SSE subscriber to go', async () => !h.ex.realtime!.hub.hasListeners('job:sse', 'progress'));
});

// Read with a raw WebSocket: the SDK's own subscriber (4.24.0) throws on `datastream-start`
// ("Cannot access 'stream' before initialization" in TokenSubscription: its ReadableStream's start
// callback reads the stream variable being initialized), whatever server sends it.
void test('v4: a ReadableStream publish arrives as datastream-start, 1 KB chunks in order, datastream-end', async () => {
  const jwt = (await api<{ jwt: string }>(h.url, route('realtimeToken'), { method: 'POST', body: [{ channel: 'job:s', name: 'text', kind: 'run' }] })).body.jwt;
  const c = await rawConnect(`${route('realtimeConnect')}?token=${jwt}`);
  assert.equal(c.status, 101);
  const got: (Got & { stream_id?: string })[] = [];
  c.ws!.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as Got));
  const parts = ['héllo ', 'x'.repeat(2500), ' ✓ end'];
  const [evId] = await sendEvent(h.url, { name: 'rt/stream', data: { id: 's', parts } });
  const [run] = await finishedRuns(h.url, evId!);
  assert.equal(run!.status, 'Completed', JSON.stringify(run!.error));
  await waitFor('datastream-end', async () => got.some((m) => m.kind === 'datastream-end'));
  const kinds = got.map((m) => m.kind);
  assert.equal(kinds[0], 'datastream-start');
  assert.equal(kinds.at(-1), 'datastream-end');
  const chunks = got.filter((m) => m.kind === 'chunk');
  assert.ok(chunks.length >= 3, `a 2.5 KB body is cut into 1 KB chunks (${chunks.length})`);
  assert.equal(chunks.map((m) => m.data).join(''), parts.join(''), 'the chunks put together are the body, multi-byte characters intact');
  const sid = got[0]!.data;
  assert.equal(typeof sid, 'string');
  for (const m of chunks) assert.deepEqual([m.stream_id, m.channel, m.topic], [sid, 'job:s', 'text']);
  assert.equal(got.at(-1)!.data, sid);
  c.ws!.close();
});

void test('v4: a subscriber adds topics with a sub frame (another token) and drops them with unsub', async () => {
  const jwt = async (channel: string, name: string): Promise<string> => (await api<{ jwt: string }>(h.url, route('realtimeToken'), { method: 'POST', body: [{ channel, name, kind: 'run' }] })).body.jwt;
  const c = await rawConnect(`${route('realtimeConnect')}?token=${await jwt('job:f1', 'progress')}`);
  assert.equal(c.status, 101);
  const frames: Got[] = [];
  c.ws!.on('message', (d: Buffer) => frames.push(JSON.parse(d.toString()) as Got));
  c.ws!.send(JSON.stringify({ kind: 'sub', data: await jwt('job:f2', 'progress') }));
  c.ws!.send(JSON.stringify({ kind: 'sub', data: 'forged' }));
  c.ws!.send('not json at all');
  await waitFor('the second topic', async () => h.ex.realtime!.hub.hasListeners('job:f2', 'progress'));
  const pub = (ch: string, n: number) => fetch(`${h.url}${route('realtimePublish')}?channel=${ch}&topic=progress`, { method: 'POST', body: JSON.stringify({ n }) });
  await pub('job:f1', 1);
  await pub('job:f2', 2);
  await waitFor('both', async () => frames.length >= 2);
  c.ws!.send(JSON.stringify({ kind: 'unsub', data: [{ kind: 'run', channel: 'job:f1', name: 'progress' }] }));
  await waitFor('job:f1 dropped', async () => !h.ex.realtime!.hub.hasListeners('job:f1', 'progress'));
  await pub('job:f1', 3);
  await pub('job:f2', 4);
  await waitFor('the third message', async () => frames.length >= 3);
  assert.deepEqual(
    frames.map((m) => [m.channel, m.data]),
    [
      ['job:f1', { n: 1 }],
      ['job:f2', { n: 2 }],
      ['job:f2', { n: 4 }],
    ],
  );
  c.ws!.close();
  await waitFor('the socket to go', async () => !h.ex.realtime!.hub.hasListeners('job:f2', 'progress'));
});
